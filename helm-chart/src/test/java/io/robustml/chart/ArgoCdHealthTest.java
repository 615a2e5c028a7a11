package io.robustml.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.BaseLib;
import org.luaj.vm2.lib.PackageLib;

/**
 * The Argo CD health check (argocd/health.lua) run over argocd/health_test.yaml, Argo CD's own test
 * layout. The script gets only Lua's base library, as Argo CD gives a check installed through
 * argocd-cm without useOpenLibs: a call into string, table or math fails here as it would there.
 */
class ArgoCdHealthTest {
    private static final Path DIR = Chart.DIR.resolve("argocd");

    @SuppressWarnings("unchecked")
    static Stream<Arguments> cases() throws IOException {
        Map<String, Object> suite = Serialization.unmarshal(Files.readString(DIR.resolve("health_test.yaml")), Map.class);
        return ((List<Map<String, Object>>) suite.get("tests")).stream().map(t -> Arguments.of(t.get("inputPath"),
                ((Map<String, Object>) t.get("healthStatus")).get("status"),
                ((Map<String, Object>) t.get("healthStatus")).get("message")));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void reportsTheExpectedHealth(String input, String status, String message) throws IOException {
        Map<String, Object> obj = Serialization.unmarshal(Files.readString(DIR.resolve(input)), Map.class);
        LuaTable result = run(obj);
        assertThat(result.get("status").tojstring()).isEqualTo(status);
        assertThat(result.get("message").tojstring()).isEqualTo(message);
    }

    static LuaTable run(Map<String, Object> obj) throws IOException {
        Globals globals = new Globals();
        globals.load(new BaseLib());
        globals.load(new PackageLib());
        LoadState.install(globals);
        LuaC.install(globals);
        globals.set("obj", toLua(obj));
        LuaValue result = globals.load(Files.readString(DIR.resolve("health.lua")), "health.lua").call();
        assertThat(result.istable()).as("the script returns a table").isTrue();
        return (LuaTable) result;
    }

    @SuppressWarnings("unchecked")
    static LuaValue toLua(Object value) {
        if (value instanceof Map<?, ?> map) {
            LuaTable t = new LuaTable();
            map.forEach((k, v) -> t.set(String.valueOf(k), toLua(v)));
            return t;
        }
        if (value instanceof List<?> list) {
            LuaTable t = new LuaTable();
            for (int i = 0; i < list.size(); i++) {
                t.set(i + 1, toLua(list.get(i)));
            }
            return t;
        }
        if (value instanceof Number n) {
            return n instanceof Double || n instanceof Float ? LuaValue.valueOf(n.doubleValue()) : LuaValue.valueOf(n.longValue());
        }
        if (value instanceof Boolean b) {
            return LuaValue.valueOf(b);
        }
        return value == null ? LuaValue.NIL : LuaValue.valueOf(String.valueOf(value));
    }
}
