/** The optional Service in front of a workload's main container. */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { requireSetting, withConstructPath } from '../concerns/errors';
import { checkObjectName, isDns1035Label } from '../concerns/kubernetes-values';
import { dropServiceDefaults } from './api-defaults';
import { objectName } from './identity';

/** A Service in front of a workload's main container. */
export interface ServiceOptions {
  /**
   * Whether to create the Service.
   * @default true when the main container declares ports (Deployment), or when the options are given
   */
  readonly enabled?: boolean;
  /** @default ServiceType.CLUSTER_IP */
  readonly type?: kplus.ServiceType;
  /**
   * Ports to expose, each a declared port of the main container.
   * @default every port the main container declares
   */
  readonly ports?: number[];
  /** @default the workload's name */
  readonly name?: string;
}

/**
 * @param field how the props call this Service ('service', 'clientService'), for messages
 */
export function createService(scope: Construct, name: string, selector: Record<string, string>, main: kplus.Container, labels: Record<string, string>, options: ServiceOptions, field = 'service'): kplus.Service {
  const declared = main.ports;
  requireSetting(declared.length > 0, field, options, 'needs a port, but the main container declares none', 'declare the port on the container (portNumber) or set service: { enabled: false }');
  const wanted = options.ports ?? [...new Set(declared.map((p) => p.number))];
  for (const port of wanted) {
    if (declared.some((p) => p.number === port)) continue;
    requireSetting(false, `${field}.ports`, port,
      `is not a port the main container declares (declared: ${declared.map((p) => p.number).join(', ')})`, 'declare it on the container or remove it from service.ports');
  }
  requireSetting(new Set(wanted).size === wanted.length, `${field}.ports`, wanted, 'lists a port more than once', 'list each port once');
  // Each declared port with a wanted number, once: a port the app serves over TCP and UDP (DNS
  // on 53) is two declared ports, and the Service exposes both.
  const ports = wanted.flatMap((port) => declared.flatMap((d, index) => (d.number === port ? [servicePort(d, index)] : [])));
  requireServicePortNames(ports, field);
  const service = new kplus.Service(scope, 'Service', {
    metadata: { name: serviceName(scope, options.name, name, field), labels },
    type: options.type ?? kplus.ServiceType.CLUSTER_IP,
    ports: ports.map(({ index: _index, ...port }) => port),
  });
  // Select by the workload's stable selector labels rather than cdk8s-plus's address label, so
  // the Service keeps matching the pods whatever the construct tree looks like.
  for (const [key, value] of Object.entries(selector)) service.selectLabel(key, value);
  dropServiceDefaults(service);
  return service;
}

/** A Service port for the main container's declared port `index`, under the same number, name and protocol. */
export function servicePort(d: kplus.ContainerPort, index: number): ServicePortChoice {
  return { port: d.number, targetPort: d.number, index, ...(d.name ? { name: d.name } : {}), ...(d.protocol ? { protocol: d.protocol } : {}) };
}

/** A port a Service exposes, and which declared container port (`index`) it came from. */
export interface ServicePortChoice {
  readonly port: number;
  readonly targetPort: number;
  readonly index: number;
  readonly name?: string;
  readonly protocol?: kplus.Protocol;
}

/**
 * Kubernetes requires a name on every port of a Service that has more than one, each different.
 * The names come from the container's declared ports, so that is where they are fixed.
 */
export function requireServicePortNames(ports: ReadonlyArray<ServicePortChoice>, field: string): void {
  if (ports.length < 2) return;
  const seen = new Set<string>();
  for (const p of ports) {
    const index = p.index;
    requireSetting(p.name !== undefined, `container.ports[${index}].name`, p.name,
      `is needed: the ${field === 'headlessService' ? 'headless ' : ''}Service exposes ${ports.length} ports (${ports.map((x) => x.port).join(', ')}) and Kubernetes requires a name on each`,
      `name every declared port, e.g. { number: ${p.port}, name: "${p.port === 80 || p.port === 8080 ? 'http' : `port-${p.port}`}" }${field === 'headlessService' ? '' : `, or expose one port with ${field}.ports`}`);
    requireSetting(!seen.has(p.name!), `container.ports[${index}].name`, p.name, `is used by another port the ${field} exposes`, 'give each port its own name');
    seen.add(p.name!);
  }
}

/** The Service name: the one given, else the workload's, which must then also suit a Service. */
export function serviceName(scope: Construct, given: string | undefined, workloadName: string, field: string): string {
  if (given !== undefined) return objectName(scope, 'Service', given, `${field}.name`);
  if (!isDns1035Label(workloadName)) {
    withConstructPath(scope, () => checkObjectName(workloadName, 'name', 'Service',
      `the ${field === 'service' ? 'Service' : field} takes the workload's name, so choose one that starts with a letter (or set ${field}.name)`));
  }
  return workloadName;
}
