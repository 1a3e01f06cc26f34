from cdk8s import App, Chart, Duration
import cdk8s_plus_27 as kplus
from cdk8s_resilient import (
    AutoscalingProps, HealthCheck, InitProcess, LifecycleHook, ProbesProps,
    ResilientContainerProps, ResilientDeployment, ShutdownProps,
)

app = App()
chart = Chart(app, "shop")

api = ResilientDeployment(chart, "api",
    autoscaling=AutoscalingProps(max_replicas=6),         # HPA; min_replicas defaults to 2
    init=InitProcess.dumb_init(),                         # dumb-init -- java ...
    container=ResilientContainerProps(                    # cdk8s-plus-27 ContainerProps
        image="registry.example.com/shop/api:1.4.2",
        command=["java", "-jar", "/app/api.jar"],
        ports=[kplus.ContainerPort(number=8080, name="http")],
        probes=ProbesProps(
            readiness=HealthCheck.http_get("/actuator/health/readiness", port="http"),
            liveness=HealthCheck.http_get("/actuator/health/liveness", port="http"),
            startup_timeout=Duration.seconds(120),
        ),
    ),
    shutdown=ShutdownProps(pre_stop=LifecycleHook.jvm(), app_shutdown=Duration.seconds(30)),
)

# Every piece is reachable for what the construct does not cover:
api.deployment           # cdk8s-plus-27 Deployment
api.api_object           # its ApiObject (JSON patches)
api.service; api.pod_disruption_budget; api.autoscaler
app.synth()
