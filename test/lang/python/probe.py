"""Toolchain probe, Python side: the same chart as test/lang/probe/probe.js."""
from cdk8s import App, Chart, Duration, Size
import cdk8s_plus_27 as kplus


def synth(outdir: str) -> None:
    app = App(outdir=outdir)
    chart = Chart(app, "probe")
    web = kplus.Deployment(
        chart,
        "web",
        replicas=3,
        containers=[
            kplus.ContainerProps(
                image="registry.example.com/probe/web:1.0.0",
                ports=[kplus.ContainerPort(number=8080, name="http")],
                readiness=kplus.Probe.from_http_get("/ready", port=8080),
                resources=kplus.ContainerResources(
                    cpu=kplus.CpuResources(request=kplus.Cpu.millis(100)),
                    memory=kplus.MemoryResources(request=Size.mebibytes(128), limit=Size.mebibytes(256)),
                ),
                lifecycle=kplus.ContainerLifecycle(pre_stop=kplus.Handler.from_command(["sleep", "5"])),
            )
        ],
        termination_grace_period=Duration.seconds(40),
    )
    web.expose_via_service(ports=[kplus.ServicePort(port=80, target_port=8080)])
    app.synth()
