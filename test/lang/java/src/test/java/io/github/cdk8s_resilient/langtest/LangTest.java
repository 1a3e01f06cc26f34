package io.github.cdk8s_resilient.langtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.cdk8s_resilient.ResilientContainerProps;
import io.github.cdk8s_resilient.ResilientJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;
import org.cdk8s.App;
import org.cdk8s.Chart;
import org.cdk8s.plus27.RestartPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.jsii.JsiiError;

/**
 * The Java side of test/lang: the example shop must synthesize to dist/shop.k8s.yaml byte for
 * byte, so must the README's example, and a construct's error must reach Java with its message
 * intact.
 */
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
    void shopMatchesTypeScript(@TempDir Path out) throws Exception {
        ShopChart.synth(out.toString());
        assertSameYaml(out.resolve("shop.k8s.yaml"), expectedDir().resolve("shop.k8s.yaml"));
    }

    /**
     * The README's Java block (test/readme-examples.test.ts keeps the two equal) is
     * com.example.shop.Main, run as a user runs it: its App writes where CDK8S_OUTDIR says (the pom
     * sets it for the test JVM, whose jsii runtime inherits it).
     */
    @Test
    void readmeExampleMatchesTypeScript() throws Exception {
        String readmeExpected = System.getenv("LANG_README_EXPECTED");
        assertNotNull(readmeExpected, "LANG_README_EXPECTED is not set: run test/lang/run.sh");
        Path out = Path.of(System.getenv("CDK8S_OUTDIR"));
        if (Files.exists(out)) {
            // output of an earlier run must not pass for this one's
            try (Stream<Path> files = Files.walk(out)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        com.example.shop.Main.main(new String[0]);
        assertSameYaml(out.resolve("shop.k8s.yaml"), Path.of(readmeExpected));
    }

    @Test
    void invalidSettingReachesJavaWithPathFieldValueAndFix() {
        Chart chart = new Chart(new App(), "shop");
        JsiiError error = assertThrows(JsiiError.class, () -> ResilientJob.Builder.create(chart, "migrate")
            .container(ResilientContainerProps.builder().image("registry.example.com/shop/migrations:1.4.2").build())
            .restartPolicy(RestartPolicy.ALWAYS)
            .build());
        assertEquals("[shop/migrate] restartPolicy: \"Always\" is not allowed for Jobs (Kubernetes accepts only Never or OnFailure). "
            + "Fix: use RestartPolicy.NEVER (the default) or RestartPolicy.ON_FAILURE", firstLine(error.getMessage()));
    }

    /** The jsii runtime appends the JavaScript stack to the message; the first line is the error's own. */
    static String firstLine(String message) {
        return message.split("\n", 2)[0];
    }
}
