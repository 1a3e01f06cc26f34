package com.example.shop;

import io.github.cdk8s_resilient.AutoscalingProps;
import io.github.cdk8s_resilient.HealthCheck;
import io.github.cdk8s_resilient.HttpCheckOptions;
import io.github.cdk8s_resilient.InitProcess;
import io.github.cdk8s_resilient.LifecycleHook;
import io.github.cdk8s_resilient.ProbesProps;
import io.github.cdk8s_resilient.ResilientContainerProps;
import io.github.cdk8s_resilient.ResilientDeployment;
import io.github.cdk8s_resilient.ShutdownProps;
import java.util.List;
import org.cdk8s.App;
import org.cdk8s.Chart;
import org.cdk8s.Duration;
import org.cdk8s.plus27.ContainerPort;

public final class Main {
    public static void main(final String[] args) {
        App app = new App();
        Chart chart = new Chart(app, "shop");

        ResilientDeployment api = ResilientDeployment.Builder.create(chart, "api")
            .autoscaling(AutoscalingProps.builder().maxReplicas(6).build())  // HPA; minReplicas defaults to 2
            .init(InitProcess.dumbInit())                                     // dumb-init -- java ...
            .container(ResilientContainerProps.builder()                      // cdk8s-plus-27 ContainerProps
                .image("registry.example.com/shop/api:1.4.2")
                .command(List.of("java", "-jar", "/app/api.jar"))
                .ports(List.of(ContainerPort.builder().number(8080).name("http").build()))
                .probes(ProbesProps.builder()
                    .readiness(HealthCheck.httpGet("/actuator/health/readiness", HttpCheckOptions.builder().port("http").build()))
                    .liveness(HealthCheck.httpGet("/actuator/health/liveness", HttpCheckOptions.builder().port("http").build()))
                    .startupTimeout(Duration.seconds(120))
                    .build())
                .build())
            .shutdown(ShutdownProps.builder().preStop(LifecycleHook.jvm()).appShutdown(Duration.seconds(30)).build())
            .build();

        // Every piece is reachable for what the construct does not cover:
        api.getDeployment();     // cdk8s-plus-27 Deployment
        api.getApiObject();      // its ApiObject (JSON patches)
        api.getService(); api.getPodDisruptionBudget(); api.getAutoscaler();
        app.synth();
    }
}
