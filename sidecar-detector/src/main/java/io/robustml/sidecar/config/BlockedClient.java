package io.robustml.sidecar.config;


/**
 * One entry of {@code detector.blockedClients}: a verified client name ({@code apiKey}, the name in the
 * clients file, never a raw key) or a network ({@code cidr}) of effective source addresses.
 */
public record BlockedClient(String clientName, Cidr cidr, String reason) {
    /** From a detector.json entry (exactly one of apiKey and cidr, checked there). */
    public static BlockedClient of(io.robustml.oip.detector.DetectorConfig.BlockedClient entry) {
        return entry.apiKey() != null ? new BlockedClient(entry.apiKey(), null, entry.reason())
                : new BlockedClient(null, Cidr.parse(entry.cidr()), entry.reason());
    }

    /**
     * @param verifiedName the client name from the clients file, null for an anonymous request
     */
    public boolean matches(String verifiedName, String sourceAddress) {
        return clientName != null ? clientName.equals(verifiedName) : cidr.contains(sourceAddress);
    }
}
