package io.github.cdk8s_resilient.langtest;

import java.util.List;
import org.cdk8s.App;
import org.cdk8s.AppProps;
import org.cdk8s.Chart;
import org.cdk8s.Duration;
import org.cdk8s.Size;
import org.cdk8s.plus27.ContainerLifecycle;
import org.cdk8s.plus27.ContainerPort;
import org.cdk8s.plus27.ContainerProps;
import org.cdk8s.plus27.ContainerResources;
import org.cdk8s.plus27.Cpu;
import org.cdk8s.plus27.CpuResources;
import org.cdk8s.plus27.Deployment;
import org.cdk8s.plus27.DeploymentExposeViaServiceOptions;
import org.cdk8s.plus27.DeploymentProps;
import org.cdk8s.plus27.Handler;
import org.cdk8s.plus27.HttpGetProbeOptions;
import org.cdk8s.plus27.MemoryResources;
import org.cdk8s.plus27.ServicePort;

/** Toolchain probe, Java side: the same chart as test/lang/probe/probe.js. */
public final class ProbeChart {
    private ProbeChart() {}

    public static void synth(String outdir) {
        App app = new App(AppProps.builder().outdir(outdir).build());
        Chart chart = new Chart(app, "probe");
        ContainerProps container = ContainerProps.builder()
            .image("registry.example.com/probe/web:1.0.0")
            .ports(List.of(ContainerPort.builder().number(8080).name("http").build()))
            .readiness(org.cdk8s.plus27.Probe.fromHttpGet("/ready", HttpGetProbeOptions.builder().port(8080).build()))
            .resources(ContainerResources.builder()
                .cpu(CpuResources.builder().request(Cpu.millis(100)).build())
                .memory(MemoryResources.builder().request(Size.mebibytes(128)).limit(Size.mebibytes(256)).build())
                .build())
            .lifecycle(ContainerLifecycle.builder().preStop(Handler.fromCommand(List.of("sleep", "5"))).build())
            .build();
        Deployment web = new Deployment(chart, "web", DeploymentProps.builder()
            .replicas(3)
            .containers(List.of(container))
            .terminationGracePeriod(Duration.seconds(40))
            .build());
        web.exposeViaService(DeploymentExposeViaServiceOptions.builder()
            .ports(List.of(ServicePort.builder().port(80).targetPort(8080).build()))
            .build());
        app.synth();
    }
}
