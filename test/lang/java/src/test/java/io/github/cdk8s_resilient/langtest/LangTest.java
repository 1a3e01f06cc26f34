package io.github.cdk8s_resilient.langtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each program here must write the YAML the TypeScript synth wrote, byte for byte. */
class LangTest {
    static Path expectedDir() {
        String dir = System.getenv("LANG_EXPECTED_DIR");
        assertNotNull(dir, "LANG_EXPECTED_DIR is not set: run test/lang/run.sh");
        return Path.of(dir);
    }

    static void assertSameYaml(Path got, Path want) throws Exception {
        byte[] gotBytes = Files.readAllBytes(got);
        byte[] wantBytes = Files.readAllBytes(want);
        if (!Arrays.equals(gotBytes, wantBytes)) {
            // Comparing the text shows the first differing line in the failure message.
            assertEquals(new String(wantBytes, StandardCharsets.UTF_8), new String(gotBytes, StandardCharsets.UTF_8),
                "YAML differs from the TypeScript synth " + want + " (Java output: " + got + ")");
            fail("YAML bytes differ from " + want + " although the decoded text is equal (encoding?)");
        }
    }

    @Test
    void probeChartMatchesTypeScript(@TempDir Path out) throws Exception {
        ProbeChart.synth(out.toString());
        assertSameYaml(out.resolve("probe.k8s.yaml"), expectedDir().resolve("probe.k8s.yaml"));
    }
}
