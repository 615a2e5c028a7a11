package io.robustml.sidecar.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network ({@code 203.0.113.0/24}, {@code 2001:db8::/32}; a bare address is a /32 or
 * /128). Parsing accepts address literals only and never resolves a name. An IPv4-mapped IPv6 address
 * ({@code ::ffff:1.2.3.4}) matches IPv4 networks, as Java reports such peers as IPv4 anyway.
 */
public record Cidr(byte[] network, int prefix, String text) {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty CIDR");
        }
        String t = text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = address(addr).orElseThrow(() -> new IllegalArgumentException("not an IP address in CIDR '" + text + "'"))
                .getAddress();
        // ::ffff:a.b.c.d is an IPv4 address to Java (and so are such peers): its prefix counts from bit 96
        int offset = bytes.length == 4 && addr.indexOf(':') >= 0 ? 96 : 0;
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            int max = bytes.length * 8 + offset;
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > max || Integer.parseInt(p) < offset) {
                throw new IllegalArgumentException("bad prefix length in CIDR '" + text + "' (" + offset + "-" + max + ")");
            }
            prefix = Integer.parseInt(p) - offset;
        }
        return new Cidr(mask(bytes, prefix), prefix, t);
    }

    /** An IP address literal (v4 dotted quad or v6), never a DNS lookup; empty when it is not one. */
    public static Optional<InetAddress> address(String literal) {
        if (literal == null) {
            return Optional.empty();
        }
        String s = literal.trim();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        boolean v4 = IPV4.matcher(s).matches();
        boolean v6 = !v4 && s.indexOf(':') >= 0 && IPV6.matcher(s).matches();
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(s)); // a literal: InetAddress parses it, no lookup
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        return Arrays.equals(mask(a, prefix), network);
    }

    public boolean contains(String literal) {
        return address(literal).map(this::contains).orElse(false);
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] m = bytes.clone();
        for (int i = 0; i < m.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            m[i] &= (byte) (0xFF << (8 - bits));
        }
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    @Override
    public String toString() {
        return text;
    }
}
