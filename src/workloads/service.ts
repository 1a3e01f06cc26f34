/** The optional Service in front of a workload's main container. */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { requireSetting } from '../concerns/errors';

export interface ServiceOptions {
  /** @default ClusterIP */
  readonly type?: kplus.ServiceType;
  /**
   * Ports to expose; each must be a declared port of the main container.
   * @default every port the main container declares
   */
  readonly ports?: number[];
  /** @default the workload's name */
  readonly name?: string;
}

export function createService(scope: Construct, name: string, selector: Record<string, string>, main: kplus.Container, labels: Record<string, string>, options: ServiceOptions): kplus.Service {
  const declared = main.ports;
  requireSetting(declared.length > 0, 'service', options, 'needs a port, but the main container declares none', 'declare the port on the container (portNumber) or set service: false');
  const wanted = options.ports ?? declared.map((p) => p.number);
  for (const port of wanted) {
    requireSetting(declared.some((p) => p.number === port), 'service.ports', port,
      `is not a port the main container declares (declared: ${declared.map((p) => p.number).join(', ')})`, 'declare it on the container or remove it from service.ports');
  }
  const ports = wanted.map((port) => {
    const d = declared.find((p) => p.number === port)!;
    return { port, targetPort: port, ...(d.name ? { name: d.name } : {}), ...(d.protocol ? { protocol: d.protocol } : {}) };
  });
  const service = new kplus.Service(scope, 'Service', {
    metadata: { name: options.name ?? name, labels },
    type: options.type ?? kplus.ServiceType.CLUSTER_IP,
    ports,
  });
  // Select by the workload's stable selector labels rather than cdk8s-plus's address label, so
  // the Service keeps matching the pods whatever the construct tree looks like.
  for (const [key, value] of Object.entries(selector)) service.selectLabel(key, value);
  return service;
}
