package io.robustml.sidecar.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of {@code detector.blockedClients}: a verified client name ({@code apiKey}, the name in the
 * clients file, never a raw key) or a network ({@code cidr}) of effective source addresses.
 */
public record BlockedClient(String clientName, Cidr cidr, String reason) {
    public static BlockedClient of(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("detector.blockedClients entries must be objects");
        }
        boolean byName = node.hasNonNull("apiKey");
        boolean byCidr = node.hasNonNull("cidr");
        if (byName == byCidr) {
            throw new IllegalArgumentException("a blockedClients entry needs exactly one of apiKey and cidr: " + node);
        }
        String reason = node.path("reason").asText("");
        if (byName) {
            String name = node.get("apiKey").asText();
            if (name.isBlank()) {
                throw new IllegalArgumentException("blockedClients apiKey must name a client");
            }
            return new BlockedClient(name, null, reason);
        }
        return new BlockedClient(null, Cidr.parse(node.get("cidr").asText()), reason);
    }

    /**
     * @param verifiedName the client name from the clients file, null for an anonymous request
     */
    public boolean matches(String verifiedName, String sourceAddress) {
        return clientName != null ? clientName.equals(verifiedName) : cidr.contains(sourceAddress);
    }
}
