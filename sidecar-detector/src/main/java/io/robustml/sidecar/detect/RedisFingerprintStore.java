package io.robustml.sidecar.detect;

import io.robustml.oip.similarity.FingerprintTable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The query-similarity table in Redis, shared by all replicas of a model. Each hash is a list
 * {@code robustml:{<model>}:h:<hash>} of its newest {@code bucketCap} entries {@code <id>:<epoch ms>};
 * query ids come from the counter {@code robustml:{<model>}:n}. A match reads the ≤ 50 lists of the
 * query's hashes and counts, per id, entries that are live: among the newest {@code capacity} ids and
 * younger than the TTL (so capacity and age bound the table as in memory; lists also expire a TTL after
 * their last write). One Lua script per match and per add: one round trip each, atomic in Redis. The
 * braces make every key of a model hash to one Redis Cluster slot, as multi-key scripts require.
 * Calls block; the sidecar runs them on worker threads.
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
    private final String host;
    private final int port;
    private final int timeoutMs;
    private final String prefix;
    private final int capacity;
    private final long ttlMillis;
    private final int bucketCap;
    private final BlockingQueue<Resp> idle;
    private final String matchSha = sha1(MATCH);
    private final String addSha = sha1(ADD);
    private volatile long lastId;

    /**
     * @param model the model's name: replicas of one model share a table, different models do not
     */
    public RedisFingerprintStore(String host, int port, int timeoutMs, String model, int capacity, long ttlMillis,
            int bucketCap, int maxConnections) {
        this.host = host;
        this.port = port;
        this.timeoutMs = timeoutMs;
        this.prefix = "robustml:{" + model + "}:";
        this.capacity = capacity;
        this.ttlMillis = ttlMillis;
        this.bucketCap = bucketCap;
        this.idle = new ArrayBlockingQueue<>(maxConnections);
    }

    @Override
    public int match(long[] hashes, long nowNanos) {
        List<String> args = script(matchSha, hashes);
        args.add(Long.toString(System.currentTimeMillis()));
        args.add(Integer.toString(capacity));
        args.add(Long.toString(ttlMillis));
        return (int) (long) (Long) eval(args, MATCH);
    }

    @Override
    public void add(long[] hashes, long nowNanos) {
        List<String> args = script(addSha, hashes);
        args.add(Long.toString(System.currentTimeMillis()));
        args.add(Long.toString(ttlMillis));
        args.add(Integer.toString(bucketCap));
        lastId = (Long) eval(args, ADD);
    }

    /**
     * Increments the counter {@code robustml:{<model>}:<suffix>} (created with a TTL of {@code ttlMillis})
     * and returns its new value: the per-client rate windows and daily quotas shared by all replicas.
     */
    public long increment(String suffix, long by, long ttlMillis) {
        List<String> args = new ArrayList<>(List.of("EVALSHA", countSha, "1", prefix + suffix, Long.toString(ttlMillis),
                Long.toString(by)));
        return (Long) eval(args, COUNT);
    }

    private List<String> script(String sha, long[] hashes) {
        List<String> args = new ArrayList<>(hashes.length + 8);
        args.add("EVALSHA");
        args.add(sha);
        args.add(Integer.toString(hashes.length + 1));
        args.add(prefix + "n");
        for (long h : hashes) {
            args.add(prefix + "h:" + Long.toHexString(h));
        }
        return args;
    }

    private Object eval(List<String> args, String source) {
        Resp connection = borrow();
        boolean healthy = false;
        try {
            Object reply;
            try {
                reply = connection.call(args);
            } catch (Resp.RedisError e) {
                if (!e.getMessage().startsWith("NOSCRIPT")) {
                    throw e;
                }
                List<String> eval = new ArrayList<>(args);
                eval.set(0, "EVAL");
                eval.set(1, source);
                reply = connection.call(eval);
            }
            healthy = true;
            return reply;
        } catch (IOException e) {
            throw new UncheckedIOException("Redis " + host + ":" + port + ": " + e.getMessage(), e);
        } finally {
            if (healthy && idle.offer(connection)) {
                connection = null;
            }
            if (connection != null) {
                connection.close();
            }
        }
    }

    private Resp borrow() {
        Resp r = idle.poll();
        if (r != null && r.isOpen()) {
            return r;
        }
        try {
            return new Resp(host, port, timeoutMs);
        } catch (IOException e) {
            throw new UncheckedIOException("Redis " + host + ":" + port + " not reachable: " + e.getMessage(), e);
        }
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
        Resp r;
        while ((r = idle.poll()) != null) {
            r.close();
        }
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
