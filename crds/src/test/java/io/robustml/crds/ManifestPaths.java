package io.robustml.crds;

import java.util.List;
import java.util.Map;

/** Sets and removes values in a parsed manifest by paths such as {@code spec.threatModel.attacks[0].epsilon}. */
final class ManifestPaths {
    private ManifestPaths() {
    }

    static void set(Map<String, Object> root, String path, Object value) {
        String[] parts = path.split("\\.");
        Object parent = walk(root, parts, parts.length - 1, true);
        put(parent, parts[parts.length - 1], value);
    }

    static void remove(Map<String, Object> root, String path) {
        String[] parts = path.split("\\.");
        Object parent = walk(root, parts, parts.length - 1, false);
        String last = parts[parts.length - 1];
        if (last.endsWith("]")) {
            list(child(parent, name(last), false)).remove(index(last));
        } else {
            map(parent).remove(last);
        }
    }

    private static Object walk(Map<String, Object> root, String[] parts, int count, boolean create) {
        Object node = root;
        for (int i = 0; i < count; i++) {
            String part = parts[i];
            node = part.endsWith("]") ? list(child(node, name(part), create)).get(index(part)) : child(node, part, create);
        }
        return node;
    }

    private static Object child(Object node, String key, boolean create) {
        Map<String, Object> m = map(node);
        if (!m.containsKey(key) && create) {
            m.put(key, new java.util.LinkedHashMap<String, Object>());
        }
        Object value = m.get(key);
        if (value == null) {
            throw new IllegalArgumentException("no field " + key);
        }
        return value;
    }

    private static void put(Object parent, String last, Object value) {
        if (last.endsWith("]")) {
            list(child(parent, name(last), false)).set(index(last), value);
        } else {
            map(parent).put(last, value);
        }
    }

    private static String name(String part) {
        return part.substring(0, part.indexOf('['));
    }

    private static int index(String part) {
        return Integer.parseInt(part.substring(part.indexOf('[') + 1, part.length() - 1));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }
}
