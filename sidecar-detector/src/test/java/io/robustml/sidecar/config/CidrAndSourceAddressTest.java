package io.robustml.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CidrAndSourceAddressTest {
    @Test
    void matchesIpv4AndIpv6Networks() {
        Cidr v4 = Cidr.parse("203.0.113.0/24");
        assertThat(v4.contains("203.0.113.7")).isTrue();
        assertThat(v4.contains("203.0.114.7")).isFalse();
        assertThat(v4.contains("2001:db8::1")).isFalse();
        assertThat(Cidr.parse("10.0.0.0/8").contains("10.255.1.2")).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains("192.0.2.1")).isTrue();
        assertThat(Cidr.parse("192.0.2.1").contains("192.0.2.1")).isTrue();
        assertThat(Cidr.parse("192.0.2.1").contains("192.0.2.2")).isFalse();
        Cidr v6 = Cidr.parse("2001:db8::/32");
        assertThat(v6.contains("2001:db8:ffff::1")).isTrue();
        assertThat(v6.contains("2001:db9::1")).isFalse();
        assertThat(v6.contains("203.0.113.7")).isFalse();
        assertThat(Cidr.parse("2001:db8::/127").contains("2001:db8::1")).isTrue();
        assertThat(Cidr.parse("2001:db8::/128").contains("2001:db8::1")).isFalse();
        assertThat(Cidr.parse("[::1]").contains("::1")).isTrue();
        // an IPv4-mapped IPv6 peer is the IPv4 address
        assertThat(v4.contains("::ffff:203.0.113.9")).isTrue();
        assertThat(Cidr.parse("::ffff:127.0.0.0/104").contains("127.9.9.9")).isTrue();
        assertThat(Cidr.parse("::ffff:127.0.0.0/104").contains("128.0.0.1")).isFalse();
        // the address part is masked: 10.1.2.3/8 is 10.0.0.0/8
        assertThat(Cidr.parse("10.1.2.3/8")).isEqualTo(Cidr.parse("10.0.0.0/8"));
    }

    @Test
    void rejectsWhatIsNotACidrWithoutAnyLookup() {
        for (String bad : List.of("", "example.com", "10.0.0.0/33", "2001:db8::/129", "10.0.0/8", "256.1.1.1", "10.0.0.0/-1",
                "10.0.0.0/abc", "1.2.3.4/ 8", "localhost", "01.2.3.4",
                "::ffff:127.0.0.0/64")) {
            assertThatThrownBy(() -> Cidr.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(Cidr.address("localhost")).isEmpty();
        assertThat(Cidr.address("1.2.3.4.example")).isEmpty();
    }

    @Test
    void honoursForwardedForOnlyFromTrustedProxies() {
        List<Cidr> trusted = List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"));
        // untrusted peer: its X-Forwarded-For is whatever it likes, ignored
        assertThat(SourceAddress.resolve("198.51.100.9", "203.0.113.7", trusted)).isEqualTo("198.51.100.9");
        // trusted peer: the right-most entry that is not itself a proxy
        assertThat(SourceAddress.resolve("10.0.0.5", "203.0.113.7", trusted)).isEqualTo("203.0.113.7");
        assertThat(SourceAddress.resolve("10.0.0.5", "1.1.1.1, 203.0.113.7, 10.2.3.4", trusted)).isEqualTo("203.0.113.7");
        // the client's own spoofed entries left of the real one do not count
        assertThat(SourceAddress.resolve("10.0.0.5", "6.6.6.6,203.0.113.7", trusted)).isEqualTo("203.0.113.7");
        // garbage stops the walk at the last address a trusted proxy vouched for
        assertThat(SourceAddress.resolve("10.0.0.5", "203.0.113.7, not-an-ip", trusted)).isEqualTo("10.0.0.5");
        assertThat(SourceAddress.resolve("10.0.0.5", "not-an-ip, 10.9.9.9", trusted)).isEqualTo("10.9.9.9");
        // all hops trusted: the left-most
        assertThat(SourceAddress.resolve("10.0.0.5", "10.1.1.1, 10.2.2.2", trusted)).isEqualTo("10.1.1.1");
        // IPv6
        assertThat(SourceAddress.resolve("fd00::1", "2001:db8::7", trusted)).isEqualTo("2001:db8:0:0:0:0:0:7");
        assertThat(SourceAddress.resolve("2001:db8::1", "203.0.113.7", trusted)).isEqualTo("2001:db8:0:0:0:0:0:1");
        // no proxies trusted (no authentication block): always the peer
        assertThat(SourceAddress.resolve("10.0.0.5", "203.0.113.7", List.of())).isEqualTo("10.0.0.5");
        assertThat(SourceAddress.resolve(null, "203.0.113.7", trusted)).isEqualTo("unknown");
    }
}
