package io.robustml.controllers.gpu;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The NVIDIA device plugin's configuration ConfigMap that the ClusterPolicy names
 * ({@code spec.devicePlugin.config}): one config file per key; a node uses the key of its
 * {@code nvidia.com/device-plugin.config} label, else the default key.
 */
public record SharingConfig(Map<String, DevicePluginConfig> configs, String defaultKey) {
    public static final String NODE_CONFIG_LABEL = "nvidia.com/device-plugin.config";

    public SharingConfig {
        configs = Map.copyOf(configs);
    }

    /** Parses every key of the ConfigMap's data; a key that is not a config is skipped. */
    public static SharingConfig of(Map<String, String> data, String defaultKey) {
        Map<String, DevicePluginConfig> configs = new LinkedHashMap<>();
        if (data != null) {
            data.forEach((key, text) -> DevicePluginConfig.parse(text).ifPresent(c -> configs.put(key, c)));
        }
        return new SharingConfig(configs, defaultKey);
    }

    /** The config a node runs with: its label's key, else the default key, else the only config there is. */
    public Optional<DevicePluginConfig> forNode(NodeView node) {
        String key = node.label(NODE_CONFIG_LABEL);
        if (key != null && configs.containsKey(key)) {
            return Optional.of(configs.get(key));
        }
        if (defaultKey != null && configs.containsKey(defaultKey)) {
            return Optional.of(configs.get(defaultKey));
        }
        return configs.size() == 1 ? configs.values().stream().findFirst() : Optional.empty();
    }

    /** The default config, for predictions when no node says more. */
    public Optional<DevicePluginConfig> defaultConfig() {
        if (defaultKey != null && configs.containsKey(defaultKey)) {
            return Optional.of(configs.get(defaultKey));
        }
        return configs.size() == 1 ? configs.values().stream().findFirst() : Optional.empty();
    }

    /**
     * One device-plugin config file ({@code version: v1}): {@code flags.migStrategy} and
     * {@code sharing.timeSlicing} or {@code sharing.mps}.
     *
     * @param migStrategy     flags.migStrategy, or null
     * @param strategy        "time-slicing", "mps" or null when nothing is shared
     * @param shared          shared resource name → its entry
     */
    public record DevicePluginConfig(String migStrategy, String strategy, boolean renameByDefault,
            boolean failRequestsGreaterThanOne, Map<String, SharedResource> shared) {
        public DevicePluginConfig {
            shared = Map.copyOf(shared);
        }

        static Optional<DevicePluginConfig> parse(String text) {
            JsonNode root;
            try {
                root = Serialization.unmarshal(text, JsonNode.class);
            } catch (RuntimeException e) {
                return Optional.empty();
            }
            if (root == null || !root.isObject()) {
                return Optional.empty();
            }
            String mig = root.path("flags").path("migStrategy").asText(null);
            JsonNode sharing = root.path("sharing");
            String strategy = null;
            JsonNode body = null;
            if (sharing.path("timeSlicing").path("resources").isArray()) {
                strategy = "time-slicing";
                body = sharing.path("timeSlicing");
            } else if (sharing.path("mps").path("resources").isArray()) {
                strategy = "mps";
                body = sharing.path("mps");
            }
            Map<String, SharedResource> shared = new LinkedHashMap<>();
            boolean renameByDefault = false;
            boolean failGreaterThanOne = false;
            if (body != null) {
                renameByDefault = body.path("renameByDefault").asBoolean(false);
                // MPS always refuses requests for more than one shared GPU.
                failGreaterThanOne = "mps".equals(strategy) || body.path("failRequestsGreaterThanOne").asBoolean(false);
                for (JsonNode r : body.path("resources")) {
                    String name = r.path("name").asText(null);
                    int replicas = r.path("replicas").asInt(1);
                    if (name != null && replicas > 1) {
                        String rename = r.path("rename").asText(null);
                        shared.put(name, new SharedResource(name, rename != null ? rename
                                : renameByDefault ? name + ".shared" : name, replicas));
                    }
                }
            }
            if (mig == null && strategy == null) {
                return Optional.of(new DevicePluginConfig(null, null, false, false, Map.of()));
            }
            return Optional.of(new DevicePluginConfig(mig, shared.isEmpty() ? null : strategy, renameByDefault,
                    failGreaterThanOne, shared));
        }

        /** The advertised names of shared resources (renamed or not). */
        public List<String> advertisedShared() {
            return shared.values().stream().map(SharedResource::advertisedAs).toList();
        }
    }

    /** A resource the device plugin shares: advertised under {@code advertisedAs}, {@code replicas} per GPU. */
    public record SharedResource(String name, String advertisedAs, int replicas) {
    }
}
