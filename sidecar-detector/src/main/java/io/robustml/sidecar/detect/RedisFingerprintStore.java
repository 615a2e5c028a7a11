package io.robustml.sidecar.detect;

import io.robustml.oip.similarity.FingerprintTable;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The query-similarity table in Redis, shared by all replicas of a model. Each hash is a list
 * {@code robustml:{<model>}:h:<hash>} of its newest {@code bucketCap} entries {@code <id>:<epoch ms>};
 * query ids come from the counter {@code robustml:{<model>}:n}. A match reads the ≤ 50 lists of the
 * query's hashes and counts, per id, entries that are live: among the newest {@code capacity} ids and
 * younger than the TTL (so capacity and age bound the table as in memory; lists also expire a TTL after
 * their last write). One Lua script per match and per add: one round trip each, atomic in Redis. The
 * braces make every key of a model hash to one Redis Cluster slot, as multi-key scripts require.
 * The client is Vert.x's Redis client (a pool; AUTH and TLS come with the URL: {@code redis://:password@host:port},
 * {@code rediss://…}). Calls block up to the timeout; the sidecar runs them on worker threads. A call that
 * fails or times out throws {@link StoreUnavailable}.
 */
public final class RedisFingerprintStore implements FingerprintTable {
    private static final String MATCH = """
            local now = tonumber(ARGV[1]); local cap = tonumber(ARGV[2]); local ttl = tonumber(ARGV[3])
            local maxId = tonumber(redis.call('GET', KEYS[1]) or '0')
            local counts = {}; local best = 0
            for i = 2, #KEYS do
              for _, m in ipairs(redis.call('LRANGE', KEYS[i], 0, -1)) do
                local sep = string.find(m, ':', 1, true)
                local id = tonumber(string.sub(m, 1, sep - 1)); local at = tonumber(string.sub(m, sep + 1))
                if id > maxId - cap and now - at <= ttl then
                  local c = (counts[id] or 0) + 1; counts[id] = c
                  if c > best then best = c end
                end
              end
            end
            return best""";
    private static final String ADD = """
            local now = ARGV[1]; local ttl = tonumber(ARGV[2]); local bucketCap = tonumber(ARGV[3])
            local id = redis.call('INCR', KEYS[1])
            redis.call('PEXPIRE', KEYS[1], ttl)
            for i = 2, #KEYS do
              redis.call('LPUSH', KEYS[i], id .. ':' .. now)
              redis.call('LTRIM', KEYS[i], 0, bucketCap - 1)
              redis.call('PEXPIRE', KEYS[i], ttl)
            end
            return id""";

    /** A fixed-window counter: INCR, and PEXPIRE when the window's key is new. */
    private static final String COUNT = """
            local n = redis.call('INCRBY', KEYS[1], tonumber(ARGV[2]))
            if n == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1])) end
            return n""";
    private final String countSha = sha1(COUNT);
    private final Redis client;
    /** The URL without its password, for messages. */
    private final String location;
    private final int timeoutMs;
    private final String prefix;
    private final int capacity;
    private final long ttlMillis;
    private final int bucketCap;
    private final String matchSha = sha1(MATCH);
    private final String addSha = sha1(ADD);
    private volatile long lastId;

    /** The shared store could not answer (down, paused, refused): the caller decides by its failure mode. */
    public static final class StoreUnavailable extends RuntimeException {
        StoreUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * @param url   {@code redis://[:password@]host[:port][/db]} or {@code rediss://…}; a bare {@code host:port} is redis://
     * @param model the model's name: replicas of one model share a table, different models do not
     */
    public RedisFingerprintStore(Vertx vertx, String url, int timeoutMs, String model, int capacity, long ttlMillis,
            int bucketCap, int maxConnections) {
        String connection = url.contains("://") ? url : "redis://" + url;
        this.location = connection.replaceFirst("//[^@/]*@", "//");
        this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(connection)
                .setMaxPoolSize(maxConnections).setMaxPoolWaiting(maxConnections * 16)
                .setNetClientOptions(new NetClientOptions().setConnectTimeout(timeoutMs).setTcpNoDelay(true)));
        this.timeoutMs = timeoutMs;
        this.prefix = "robustml:{" + model + "}:";
        this.capacity = capacity;
        this.ttlMillis = ttlMillis;
        this.bucketCap = bucketCap;
    }

    @Override
    public int match(long[] hashes, long nowNanos) {
        List<String> args = script(matchSha, hashes);
        args.add(Long.toString(System.currentTimeMillis()));
        args.add(Integer.toString(capacity));
        args.add(Long.toString(ttlMillis));
        return eval(args, MATCH).toInteger();
    }

    @Override
    public void add(long[] hashes, long nowNanos) {
        List<String> args = script(addSha, hashes);
        args.add(Long.toString(System.currentTimeMillis()));
        args.add(Long.toString(ttlMillis));
        args.add(Integer.toString(bucketCap));
        lastId = eval(args, ADD).toLong();
    }

    /**
     * Increments the counter {@code robustml:{<model>}:<suffix>} (created with a TTL of {@code ttlMillis})
     * and returns its new value: the per-client rate windows and daily quotas shared by all replicas.
     */
    public long increment(String suffix, long by, long ttlMillis) {
        List<String> args = new ArrayList<>(List.of(countSha, "1", prefix + suffix, Long.toString(ttlMillis), Long.toString(by)));
        return eval(args, COUNT).toLong();
    }

    private List<String> script(String sha, long[] hashes) {
        List<String> args = new ArrayList<>(hashes.length + 8);
        args.add(sha);
        args.add(Integer.toString(hashes.length + 1));
        args.add(prefix + "n");
        for (long h : hashes) {
            args.add(prefix + "h:" + Long.toHexString(h));
        }
        return args;
    }

    /** EVALSHA, and EVAL with the source when Redis does not know the script yet (a restart forgets them). */
    private Response eval(List<String> shaAndArgs, String source) {
        try {
            return call(Command.EVALSHA, shaAndArgs);
        } catch (StoreUnavailable e) {
            if (e.getCause() == null || e.getCause().getMessage() == null || !e.getCause().getMessage().startsWith("NOSCRIPT")) {
                throw e;
            }
            List<String> withSource = new ArrayList<>(shaAndArgs);
            withSource.set(0, source);
            return call(Command.EVAL, withSource);
        }
    }

    private Response call(Command command, List<String> args) {
        Request request = Request.cmd(command);
        args.forEach(request::arg);
        try {
            return client.send(request).toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new StoreUnavailable("Redis " + location + ": no answer within " + timeoutMs + " ms", e);
        } catch (ExecutionException e) {
            throw new StoreUnavailable("Redis " + location + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailable("Redis " + location + ": interrupted", e);
        }
    }

    /** Where the store is, without credentials. */
    public String location() {
        return location;
    }

    /** Live ids within the capacity, as last seen by this replica's adds (no I/O: metrics read it). */
    @Override
    public int size() {
        return (int) Math.min(lastId, capacity);
    }

    @Override
    public long evictions() {
        return Math.max(0, lastId - capacity);
    }

    @Override
    public boolean remote() {
        return true;
    }

    @Override
    public void close() {
        client.close();
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
