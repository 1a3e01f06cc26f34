"""The example shop of src/main.ts, in Python: the same constructs, the same props, the same YAML.

Each comment of src/main.ts explains the choice; this port keeps the code in the same order so the
two read side by side.
"""
import os

from cdk8s import App, Chart, Duration, Size
import cdk8s_plus_27 as kplus
from constructs import Construct

from cdk8s_resilient import (
    AutoscalingProps,
    HealthCheck,
    HelperInjection,
    ImageTools,
    InitProcess,
    LifecycleHook,
    ProbesProps,
    ResilienceProfile,
    ResilientContainerProps,
    ResilientCronJob,
    ResilientDaemonSet,
    ResilientDeployment,
    ResilientJob,
    ResilientStatefulSet,
    Rules,
    ServiceOptions,
    ShutdownProps,
    Tolerations,
    VolumeClaimProps,
)


class ShopChart(Chart):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id, disable_resource_name_hashes=True)

        web_tmp = kplus.Volume.from_empty_dir(self, "web-tmp", "tmp")
        self.web = ResilientDeployment(
            self,
            "web",
            name="web",
            component="frontend",
            part_of="shop",
            replicas=3,
            container=ResilientContainerProps(
                image="nginxinc/nginx-unprivileged:1.25.3",
                port_number=8080,
                volume_mounts=[kplus.VolumeMount(volume=web_tmp, path="/tmp")],
                probes=ProbesProps(readiness=HealthCheck.http_get("/", port=8080)),
            ),
            shutdown=ShutdownProps(
                pre_stop=LifecycleHook.nginx(pid_file="/tmp/nginx.pid"),
                app_shutdown=Duration.seconds(15),
            ),
        )

        api_tmp = kplus.Volume.from_empty_dir(self, "api-tmp", "tmp")
        self.api = ResilientDeployment(
            self,
            "api",
            name="api",
            component="backend",
            part_of="shop",
            autoscaling=AutoscalingProps(min_replicas=2, max_replicas=6),
            init=InitProcess.dumb_init(),
            helpers=HelperInjection.from_image(
                image="registry.example.com/platform/resilience-helpers:1.0.0",
                busybox="/bin/busybox",
                dumb_init="/usr/bin/dumb-init",
            ),
            container=ResilientContainerProps(
                image="registry.example.com/shop/api:1.4.2",
                image_tools=ImageTools.none(),
                command=["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/api.jar"],
                ports=[kplus.ContainerPort(number=8080, name="http")],
                volume_mounts=[kplus.VolumeMount(volume=api_tmp, path="/tmp")],
                resources=kplus.ContainerResources(
                    cpu=kplus.CpuResources(request=kplus.Cpu.millis(500), limit=kplus.Cpu.millis(2000)),
                    memory=kplus.MemoryResources(request=Size.mebibytes(768), limit=Size.mebibytes(768)),
                ),
                probes=ProbesProps(
                    readiness=HealthCheck.http_get("/actuator/health/readiness", port="http"),
                    liveness=HealthCheck.http_get("/actuator/health/liveness", port="http"),
                    startup_timeout=Duration.seconds(120),
                ),
            ),
            shutdown=ShutdownProps(pre_stop=LifecycleHook.jvm(), app_shutdown=Duration.seconds(30)),
        )

        db_run = kplus.Volume.from_empty_dir(self, "db-run", "run")
        db_tmp = kplus.Volume.from_empty_dir(self, "db-tmp", "tmp")
        self.db = ResilientStatefulSet(
            self,
            "db",
            name="db",
            component="database",
            part_of="shop",
            replicas=1,
            fs_group=999,
            container=ResilientContainerProps(
                image="postgres:16.4",
                ports=[kplus.ContainerPort(number=5432, name="postgres")],
                env_variables={
                    "PGDATA": kplus.EnvValue.from_value("/var/lib/postgresql/data/pgdata"),
                    "POSTGRES_PASSWORD": kplus.EnvValue.from_secret_value(
                        kplus.SecretValue(secret=kplus.Secret.from_secret_name(self, "db-credentials", "db-credentials"), key="password"),
                    ),
                },
                security_context=kplus.ContainerSecurityContextProps(user=999, group=999),
                volume_mounts=[
                    kplus.VolumeMount(volume=db_run, path="/var/run/postgresql"),
                    kplus.VolumeMount(volume=db_tmp, path="/tmp"),
                ],
                resources=kplus.ContainerResources(
                    cpu=kplus.CpuResources(request=kplus.Cpu.millis(500), limit=kplus.Cpu.millis(2000)),
                    memory=kplus.MemoryResources(request=Size.gibibytes(1), limit=Size.gibibytes(1)),
                ),
                probes=ProbesProps(
                    readiness=HealthCheck.exec(["pg_isready", "-U", "postgres", "-h", "127.0.0.1", "-p", "5432"]),
                    liveness=HealthCheck.tcp(port="postgres"),
                    startup_timeout=Duration.seconds(300),
                ),
            ),
            volume_claims=[VolumeClaimProps(name="data", size=Size.gibibytes(10), mount_path="/var/lib/postgresql/data")],
            client_service=ServiceOptions(),
            shutdown=ShutdownProps(
                pre_stop=LifecycleHook.postgres(stop_timeout=Duration.seconds(45)),
                app_shutdown=Duration.seconds(10),
            ),
        )

        Rules.of(self.db).suppress(
            "replicas-too-few", "single PostgreSQL primary; replication is out of scope for this example",
        )

        migrate_tmp = kplus.Volume.from_empty_dir(self, "migrate-tmp", "tmp")
        self.migrate = ResilientJob(
            self,
            "migrate",
            name="migrate-1-4-2",
            component="migration",
            part_of="shop",
            backoff_limit=2,
            active_deadline=Duration.minutes(15),
            init=InitProcess.dumb_init(),
            container=ResilientContainerProps(
                image="registry.example.com/shop/migrations:1.4.2",
                command=["flyway", "-connectRetries=10", "migrate"],
                env_variables={
                    "FLYWAY_PASSWORD": kplus.EnvValue.from_secret_value(
                        kplus.SecretValue(secret=kplus.Secret.from_secret_name(self, "migrate-db-credentials", "db-credentials"), key="password"),
                    ),
                    "FLYWAY_URL": kplus.EnvValue.from_value("jdbc:postgresql://db:5432/postgres"),
                    "FLYWAY_USER": kplus.EnvValue.from_value("postgres"),
                },
                security_context=kplus.ContainerSecurityContextProps(user=10001, group=10001),
                volume_mounts=[kplus.VolumeMount(volume=migrate_tmp, path="/tmp")],
                resources=kplus.ContainerResources(
                    memory=kplus.MemoryResources(request=Size.mebibytes(512), limit=Size.mebibytes(512)),
                ),
            ),
            shutdown=ShutdownProps(app_shutdown=Duration.seconds(20)),
        )

        report_tmp = kplus.Volume.from_empty_dir(self, "nightly-report-tmp", "tmp")
        self.nightly_report = ResilientCronJob(
            self,
            "nightly-report",
            name="nightly-report",
            component="reporting",
            part_of="shop",
            schedule="30 4 * * *",
            time_zone="Europe/Berlin",
            starting_deadline=Duration.hours(1),
            active_deadline=Duration.hours(2),
            fail_job_on_exit_codes=[2],
            init=InitProcess.tini(),
            container=ResilientContainerProps(
                image="registry.example.com/shop/reports:1.4.2",
                command=["python", "-m", "shop_reports.nightly"],
                env_variables={"REPORT_DATABASE_HOST": kplus.EnvValue.from_value("db")},
                security_context=kplus.ContainerSecurityContextProps(user=10001, group=10001),
                volume_mounts=[kplus.VolumeMount(volume=report_tmp, path="/tmp")],
                resources=kplus.ContainerResources(
                    cpu=kplus.CpuResources(request=kplus.Cpu.millis(500), limit=kplus.Cpu.millis(1000)),
                    memory=kplus.MemoryResources(request=Size.mebibytes(512), limit=Size.mebibytes(512)),
                ),
            ),
            shutdown=ShutdownProps(app_shutdown=Duration.seconds(60)),
        )

        log_agent_config = kplus.ConfigMap(
            self,
            "log-agent-config",
            metadata={
                "name": "log-agent",
                "labels": {
                    "app.kubernetes.io/name": "log-agent",
                    "app.kubernetes.io/part-of": "shop",
                    "app.kubernetes.io/managed-by": "cdk8s",
                },
            },
            data={"fluent-bit.conf": "\n".join(FLUENT_BIT_CONF)},
        )
        self.log_agent = ResilientDaemonSet(
            self,
            "log-agent",
            name="log-agent",
            component="logging",
            part_of="shop",
            tolerations=[Tolerations.everywhere()],
            container=ResilientContainerProps(
                image="cr.fluentbit.io/fluent/fluent-bit:2.2.2",
                command=["/fluent-bit/bin/fluent-bit", "-c", "/fluent-bit/etc/shop/fluent-bit.conf"],
                ports=[kplus.ContainerPort(number=2020, name="http")],
                security_context=kplus.ContainerSecurityContextProps(ensure_non_root=False, user=0, group=0),
                volume_mounts=[
                    kplus.VolumeMount(
                        volume=kplus.Volume.from_config_map(self, "log-agent-config-volume", log_agent_config),
                        path="/fluent-bit/etc/shop",
                        read_only=True,
                    ),
                    kplus.VolumeMount(
                        volume=kplus.Volume.from_host_path(self, "log-agent-var-log", "var-log", path="/var/log"),
                        path="/var/log",
                        read_only=True,
                    ),
                    kplus.VolumeMount(
                        volume=kplus.Volume.from_host_path(
                            self, "log-agent-state", "state",
                            path="/var/lib/fluent-bit", type=kplus.HostPathVolumeType.DIRECTORY_OR_CREATE,
                        ),
                        path="/var/lib/fluent-bit",
                    ),
                ],
                resources=kplus.ContainerResources(
                    cpu=kplus.CpuResources(request=kplus.Cpu.millis(50), limit=kplus.Cpu.millis(500)),
                    memory=kplus.MemoryResources(request=Size.mebibytes(128), limit=Size.mebibytes(128)),
                ),
                probes=ProbesProps(
                    readiness=HealthCheck.http_get("/api/v1/health", port="http"),
                    liveness=HealthCheck.tcp(port="http"),
                ),
            ),
            shutdown=ShutdownProps(pre_stop=LifecycleHook.none(), app_shutdown=Duration.seconds(10)),
        )


FLUENT_BIT_CONF = [
    "[SERVICE]",
    "    Flush         1",
    "    Grace         5",
    "    HTTP_Server   On",
    "    HTTP_Listen   0.0.0.0",
    "    HTTP_Port     2020",
    "    Health_Check  On",
    "",
    "[INPUT]",
    "    Name              tail",
    "    Path              /var/log/containers/*.log",
    "    multiline.parser  cri",
    "    Tag               kube.*",
    "    DB                /var/lib/fluent-bit/tail.db",
    "    Mem_Buf_Limit     50MB",
    "",
    "[OUTPUT]",
    "    Name   forward",
    "    Match  *",
    "    Host   logs.example.com",
    "    Port   24224",
    "",
]


def example_profile(app: App) -> ResilienceProfile:
    """production unless RESILIENCE_PROFILE (or the app's resilience-profile context) says development."""
    name = app.node.try_get_context("resilience-profile")
    if name is None:
        name = os.environ.get("RESILIENCE_PROFILE", "production")
    name = str(name)
    if name == "production":
        return ResilienceProfile.production()
    if name == "development":
        return ResilienceProfile.development()
    raise ValueError(f'RESILIENCE_PROFILE: "{name}" is not a profile of this example. Fix: use "production" (the default) or "development"')


def synth(outdir: str) -> None:
    app = App(outdir=outdir)
    example_profile(app).apply_to(app)
    ShopChart(app, "shop")
    app.synth()
