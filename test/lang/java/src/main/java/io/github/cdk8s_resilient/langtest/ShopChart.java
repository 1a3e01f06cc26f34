package io.github.cdk8s_resilient.langtest;

import io.github.cdk8s_resilient.AutoscalingProps;
import io.github.cdk8s_resilient.HealthCheck;
import io.github.cdk8s_resilient.HelperImageProps;
import io.github.cdk8s_resilient.HelperInjection;
import io.github.cdk8s_resilient.HttpCheckOptions;
import io.github.cdk8s_resilient.ImageTools;
import io.github.cdk8s_resilient.InitProcess;
import io.github.cdk8s_resilient.LifecycleHook;
import io.github.cdk8s_resilient.NginxQuitOptions;
import io.github.cdk8s_resilient.PortCheckOptions;
import io.github.cdk8s_resilient.PostgresShutdownOptions;
import io.github.cdk8s_resilient.ProbesProps;
import io.github.cdk8s_resilient.ResilienceProfile;
import io.github.cdk8s_resilient.ResilientContainerProps;
import io.github.cdk8s_resilient.ResilientCronJob;
import io.github.cdk8s_resilient.ResilientDaemonSet;
import io.github.cdk8s_resilient.ResilientDeployment;
import io.github.cdk8s_resilient.ResilientJob;
import io.github.cdk8s_resilient.ResilientStatefulSet;
import io.github.cdk8s_resilient.Rules;
import io.github.cdk8s_resilient.ServiceOptions;
import io.github.cdk8s_resilient.ShutdownProps;
import io.github.cdk8s_resilient.Tolerations;
import io.github.cdk8s_resilient.VolumeClaimProps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cdk8s.ApiObjectMetadata;
import org.cdk8s.App;
import org.cdk8s.AppProps;
import org.cdk8s.Chart;
import org.cdk8s.ChartProps;
import org.cdk8s.Duration;
import org.cdk8s.Size;
import org.cdk8s.plus27.ConfigMap;
import org.cdk8s.plus27.ConfigMapProps;
import org.cdk8s.plus27.ContainerPort;
import org.cdk8s.plus27.ContainerResources;
import org.cdk8s.plus27.ContainerSecurityContextProps;
import org.cdk8s.plus27.Cpu;
import org.cdk8s.plus27.CpuResources;
import org.cdk8s.plus27.EnvValue;
import org.cdk8s.plus27.HostPathVolumeOptions;
import org.cdk8s.plus27.HostPathVolumeType;
import org.cdk8s.plus27.MemoryResources;
import org.cdk8s.plus27.Secret;
import org.cdk8s.plus27.SecretValue;
import org.cdk8s.plus27.Volume;
import org.cdk8s.plus27.VolumeMount;
import software.constructs.Construct;

/**
 * The example shop of src/main.ts, in Java: the same constructs, the same props, the same YAML.
 * Each comment of src/main.ts explains the choice; this port keeps the code in the same order so
 * the two read side by side.
 */
public final class ShopChart extends Chart {
    public ShopChart(final Construct scope, final String id) {
        super(scope, id, ChartProps.builder().disableResourceNameHashes(true).build());

        Volume webTmp = Volume.fromEmptyDir(this, "web-tmp", "tmp");
        ResilientDeployment.Builder.create(this, "web")
            .name("web")
            .component("frontend")
            .partOf("shop")
            .replicas(3)
            .container(ResilientContainerProps.builder()
                .image("nginxinc/nginx-unprivileged:1.25.3")
                .portNumber(8080)
                .volumeMounts(List.of(VolumeMount.builder().volume(webTmp).path("/tmp").build()))
                .probes(ProbesProps.builder()
                    .readiness(HealthCheck.httpGet("/", HttpCheckOptions.builder().port(8080).build()))
                    .build())
                .build())
            .shutdown(ShutdownProps.builder()
                .preStop(LifecycleHook.nginx(NginxQuitOptions.builder().pidFile("/tmp/nginx.pid").build()))
                .appShutdown(Duration.seconds(15))
                .build())
            .build();

        Volume apiTmp = Volume.fromEmptyDir(this, "api-tmp", "tmp");
        ResilientDeployment.Builder.create(this, "api")
            .name("api")
            .component("backend")
            .partOf("shop")
            .autoscaling(AutoscalingProps.builder().minReplicas(2).maxReplicas(6).build())
            .init(InitProcess.dumbInit())
            .helpers(HelperInjection.fromImage(HelperImageProps.builder()
                .image("registry.example.com/platform/resilience-helpers:1.0.0")
                .busybox("/bin/busybox")
                .dumbInit("/usr/bin/dumb-init")
                .build()))
            .container(ResilientContainerProps.builder()
                .image("registry.example.com/shop/api:1.4.2")
                .imageTools(ImageTools.none())
                .command(List.of("java", "-XX:MaxRAMPercentage=75", "-jar", "/app/api.jar"))
                .ports(List.of(ContainerPort.builder().number(8080).name("http").build()))
                .volumeMounts(List.of(VolumeMount.builder().volume(apiTmp).path("/tmp").build()))
                .resources(resources(500, 2000, Size.mebibytes(768)))
                .probes(ProbesProps.builder()
                    .readiness(HealthCheck.httpGet("/actuator/health/readiness", HttpCheckOptions.builder().port("http").build()))
                    .liveness(HealthCheck.httpGet("/actuator/health/liveness", HttpCheckOptions.builder().port("http").build()))
                    .startupTimeout(Duration.seconds(120))
                    .build())
                .build())
            .shutdown(ShutdownProps.builder().preStop(LifecycleHook.jvm()).appShutdown(Duration.seconds(30)).build())
            .build();

        Volume dbRun = Volume.fromEmptyDir(this, "db-run", "run");
        Volume dbTmp = Volume.fromEmptyDir(this, "db-tmp", "tmp");
        Map<String, EnvValue> dbEnv = new LinkedHashMap<>();
        dbEnv.put("PGDATA", EnvValue.fromValue("/var/lib/postgresql/data/pgdata"));
        dbEnv.put("POSTGRES_PASSWORD", secretKey("db-credentials"));
        ResilientStatefulSet db = ResilientStatefulSet.Builder.create(this, "db")
            .name("db")
            .component("database")
            .partOf("shop")
            .replicas(1)
            .fsGroup(999)
            .container(ResilientContainerProps.builder()
                .image("postgres:16.4")
                .ports(List.of(ContainerPort.builder().number(5432).name("postgres").build()))
                .envVariables(dbEnv)
                .securityContext(ContainerSecurityContextProps.builder().user(999).group(999).build())
                .volumeMounts(List.of(
                    VolumeMount.builder().volume(dbRun).path("/var/run/postgresql").build(),
                    VolumeMount.builder().volume(dbTmp).path("/tmp").build()))
                .resources(resources(500, 2000, Size.gibibytes(1)))
                .probes(ProbesProps.builder()
                    .readiness(HealthCheck.exec(List.of("pg_isready", "-U", "postgres", "-h", "127.0.0.1", "-p", "5432")))
                    .liveness(HealthCheck.tcp(PortCheckOptions.builder().port("postgres").build()))
                    .startupTimeout(Duration.seconds(300))
                    .build())
                .build())
            .volumeClaims(List.of(VolumeClaimProps.builder().name("data").size(Size.gibibytes(10)).mountPath("/var/lib/postgresql/data").build()))
            .clientService(ServiceOptions.builder().build())
            .shutdown(ShutdownProps.builder()
                .preStop(LifecycleHook.postgres(PostgresShutdownOptions.builder().stopTimeout(Duration.seconds(45)).build()))
                .appShutdown(Duration.seconds(10))
                .build())
            .build();

        Rules.of(db).suppress("replicas-too-few", "single PostgreSQL primary; replication is out of scope for this example");

        Volume migrateTmp = Volume.fromEmptyDir(this, "migrate-tmp", "tmp");
        Map<String, EnvValue> migrateEnv = new LinkedHashMap<>();
        migrateEnv.put("FLYWAY_PASSWORD", secretKey("migrate-db-credentials"));
        migrateEnv.put("FLYWAY_URL", EnvValue.fromValue("jdbc:postgresql://db:5432/postgres"));
        migrateEnv.put("FLYWAY_USER", EnvValue.fromValue("postgres"));
        ResilientJob.Builder.create(this, "migrate")
            .name("migrate-1-4-2")
            .component("migration")
            .partOf("shop")
            .backoffLimit(2)
            .activeDeadline(Duration.minutes(15))
            .init(InitProcess.dumbInit())
            .container(ResilientContainerProps.builder()
                .image("registry.example.com/shop/migrations:1.4.2")
                .command(List.of("flyway", "-connectRetries=10", "migrate"))
                .envVariables(migrateEnv)
                .securityContext(ContainerSecurityContextProps.builder().user(10001).group(10001).build())
                .volumeMounts(List.of(VolumeMount.builder().volume(migrateTmp).path("/tmp").build()))
                .resources(ContainerResources.builder()
                    .memory(MemoryResources.builder().request(Size.mebibytes(512)).limit(Size.mebibytes(512)).build())
                    .build())
                .build())
            .shutdown(ShutdownProps.builder().appShutdown(Duration.seconds(20)).build())
            .build();

        Volume reportTmp = Volume.fromEmptyDir(this, "nightly-report-tmp", "tmp");
        ResilientCronJob.Builder.create(this, "nightly-report")
            .name("nightly-report")
            .component("reporting")
            .partOf("shop")
            .schedule("30 4 * * *")
            .timeZone("Europe/Berlin")
            .startingDeadline(Duration.hours(1))
            .activeDeadline(Duration.hours(2))
            .failJobOnExitCodes(List.of(2))
            .init(InitProcess.tini())
            .container(ResilientContainerProps.builder()
                .image("registry.example.com/shop/reports:1.4.2")
                .command(List.of("python", "-m", "shop_reports.nightly"))
                .envVariables(Map.of("REPORT_DATABASE_HOST", EnvValue.fromValue("db")))
                .securityContext(ContainerSecurityContextProps.builder().user(10001).group(10001).build())
                .volumeMounts(List.of(VolumeMount.builder().volume(reportTmp).path("/tmp").build()))
                .resources(resources(500, 1000, Size.mebibytes(512)))
                .build())
            .shutdown(ShutdownProps.builder().appShutdown(Duration.seconds(60)).build())
            .build();

        ConfigMap logAgentConfig = new ConfigMap(this, "log-agent-config", ConfigMapProps.builder()
            .metadata(ApiObjectMetadata.builder()
                .name("log-agent")
                .labels(Map.of(
                    "app.kubernetes.io/name", "log-agent",
                    "app.kubernetes.io/part-of", "shop",
                    "app.kubernetes.io/managed-by", "cdk8s"))
                .build())
            .data(Map.of("fluent-bit.conf", String.join("\n", FLUENT_BIT_CONF)))
            .build());
        ResilientDaemonSet.Builder.create(this, "log-agent")
            .name("log-agent")
            .component("logging")
            .partOf("shop")
            .tolerations(List.of(Tolerations.everywhere()))
            .container(ResilientContainerProps.builder()
                .image("cr.fluentbit.io/fluent/fluent-bit:2.2.2")
                .command(List.of("/fluent-bit/bin/fluent-bit", "-c", "/fluent-bit/etc/shop/fluent-bit.conf"))
                .ports(List.of(ContainerPort.builder().number(2020).name("http").build()))
                .securityContext(ContainerSecurityContextProps.builder().ensureNonRoot(false).user(0).group(0).build())
                .volumeMounts(List.of(
                    VolumeMount.builder()
                        .volume(Volume.fromConfigMap(this, "log-agent-config-volume", logAgentConfig))
                        .path("/fluent-bit/etc/shop").readOnly(true).build(),
                    VolumeMount.builder()
                        .volume(Volume.fromHostPath(this, "log-agent-var-log", "var-log", HostPathVolumeOptions.builder().path("/var/log").build()))
                        .path("/var/log").readOnly(true).build(),
                    VolumeMount.builder()
                        .volume(Volume.fromHostPath(this, "log-agent-state", "state",
                            HostPathVolumeOptions.builder().path("/var/lib/fluent-bit").type(HostPathVolumeType.DIRECTORY_OR_CREATE).build()))
                        .path("/var/lib/fluent-bit").build()))
                .resources(resources(50, 500, Size.mebibytes(128)))
                .probes(ProbesProps.builder()
                    .readiness(HealthCheck.httpGet("/api/v1/health", HttpCheckOptions.builder().port("http").build()))
                    .liveness(HealthCheck.tcp(PortCheckOptions.builder().port("http").build()))
                    .build())
                .build())
            .shutdown(ShutdownProps.builder().preStop(LifecycleHook.none()).appShutdown(Duration.seconds(10)).build())
            .build();
    }

    /** CPU request and limit in millicores; memory request equal to the limit. */
    private static ContainerResources resources(final int cpuRequest, final int cpuLimit, final Size memory) {
        return ContainerResources.builder()
            .cpu(CpuResources.builder().request(Cpu.millis(cpuRequest)).limit(Cpu.millis(cpuLimit)).build())
            .memory(MemoryResources.builder().request(memory).limit(memory).build())
            .build();
    }

    private EnvValue secretKey(final String id) {
        return EnvValue.fromSecretValue(SecretValue.builder().secret(Secret.fromSecretName(this, id, "db-credentials")).key("password").build());
    }

    static final List<String> FLUENT_BIT_CONF = List.of(
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
        "");

    /** production unless RESILIENCE_PROFILE (or the app's resilience-profile context) says development. */
    static ResilienceProfile exampleProfile(final App app) {
        Object context = app.getNode().tryGetContext("resilience-profile");
        String name = context != null ? String.valueOf(context) : System.getenv().getOrDefault("RESILIENCE_PROFILE", "production");
        if (name.equals("production")) return ResilienceProfile.production();
        if (name.equals("development")) return ResilienceProfile.development();
        throw new IllegalArgumentException("RESILIENCE_PROFILE: \"" + name + "\" is not a profile of this example. Fix: use \"production\" (the default) or \"development\"");
    }

    public static void synth(final String outdir) {
        App app = new App(AppProps.builder().outdir(outdir).build());
        exampleProfile(app).applyTo(app);
        new ShopChart(app, "shop");
        app.synth();
    }
}
