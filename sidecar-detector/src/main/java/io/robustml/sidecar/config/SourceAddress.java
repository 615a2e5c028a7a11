package io.robustml.sidecar.config;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * The request's effective source address: the TCP peer, or — only when the peer is a trusted proxy —
 * the right-most {@code X-Forwarded-For} entry that is not itself a trusted proxy. Entries left of
 * that are written by whoever sent the request and are never believed. An entry that is not an IP
 * literal stops the walk at the last address a trusted proxy vouched for.
 */
public final class SourceAddress {
    private SourceAddress() {
    }

    public static String resolve(String peer, String forwardedFor, List<Cidr> trustedProxies) {
        Optional<InetAddress> peerAddress = Cidr.address(peer);
        if (peerAddress.isEmpty()) {
            return peer == null || peer.isBlank() ? "unknown" : peer;
        }
        String current = peerAddress.get().getHostAddress();
        if (forwardedFor == null || forwardedFor.isBlank() || !trusted(peerAddress.get(), trustedProxies)) {
            return current;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            Optional<InetAddress> hop = Cidr.address(hops[i]);
            if (hop.isEmpty()) {
                return current; // garbage: the last trusted proxy's own peer is the best we know
            }
            current = hop.get().getHostAddress();
            if (!trusted(hop.get(), trustedProxies)) {
                return current;
            }
        }
        return current; // every hop a trusted proxy: the left-most one
    }

    static boolean trusted(InetAddress address, List<Cidr> trustedProxies) {
        for (Cidr c : trustedProxies) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
