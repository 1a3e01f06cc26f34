/**
 * Requests and limits on every container. Requests let the scheduler place pods where they fit
 * and the HPA compute utilisation; a memory limit equal to the request keeps a pod from being
 * the first evicted under node memory pressure for using more than it asked for.
 */
import { Size, SizeRoundingBehavior } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { requireSetting } from './errors';

export const DEFAULT_RESOURCES = {
  cpuRequestMillis: 250,
  cpuLimitMillis: 1000,
  memoryRequestMebibytes: 256,
  memoryLimitMebibytes: 256,
};

/**
 * Fills whatever the user left out, field by field, from `defaults` (a profile's) and then the
 * library's, and checks request <= limit.
 */
export function planResources(user: kplus.ContainerResources | undefined, field: string, defaults?: kplus.ContainerResources): kplus.ContainerResources {
  const cpuRequest = user?.cpu?.request ?? defaults?.cpu?.request ?? kplus.Cpu.millis(DEFAULT_RESOURCES.cpuRequestMillis);
  const cpuLimit = user?.cpu?.limit ?? defaults?.cpu?.limit ?? maxCpu(cpuRequest, kplus.Cpu.millis(DEFAULT_RESOURCES.cpuLimitMillis));
  const memoryRequest = user?.memory?.request ?? defaults?.memory?.request ?? Size.mebibytes(DEFAULT_RESOURCES.memoryRequestMebibytes);
  const memoryLimit = user?.memory?.limit ?? defaults?.memory?.limit ?? maxSize(memoryRequest, Size.mebibytes(DEFAULT_RESOURCES.memoryLimitMebibytes));
  for (const [name, cpu] of [['request', cpuRequest], ['limit', cpuLimit]] as const) {
    const millis = cpuMillis(cpu);
    requireSetting(Number.isFinite(millis) && millis >= 0, `${field}.resources.cpu.${name}`, cpu.amount, millis < 0 ? 'is negative' : 'is not a CPU quantity', 'use e.g. kplus.Cpu.millis(250)');
  }
  const ephemeral = user?.ephemeralStorage;
  if (ephemeral?.request && ephemeral?.limit) {
    requireSetting(ephemeral.request.toMebibytes({ rounding: SizeRoundingBehavior.NONE }) <= ephemeral.limit.toMebibytes({ rounding: SizeRoundingBehavior.NONE }),
      `${field}.resources.ephemeralStorage.request`, `${ephemeral.request.toKibibytes()}Ki`,
      `is above the limit (${ephemeral.limit.toKibibytes()}Ki)`, 'raise the limit or lower the request');
  }
  requireSetting(cpuMillis(cpuRequest) <= cpuMillis(cpuLimit), `${field}.resources.cpu.request`, cpuRequest.amount,
    `is above the limit (${cpuLimit.amount})`, 'raise the limit or lower the request');
  requireSetting(memoryRequest.toMebibytes() <= memoryLimit.toMebibytes(), `${field}.resources.memory.request`, `${memoryRequest.toMebibytes()}Mi`,
    `is above the limit (${memoryLimit.toMebibytes()}Mi)`, 'raise the limit or lower the request');
  return {
    cpu: { request: cpuRequest, limit: cpuLimit },
    memory: { request: memoryRequest, limit: memoryLimit },
    ...(user?.ephemeralStorage ? { ephemeralStorage: user.ephemeralStorage } : {}),
  };
}

export function cpuMillis(cpu: kplus.Cpu): number {
  const amount = String(cpu.amount);
  return amount.endsWith('m') ? Number(amount.slice(0, -1)) : Number(amount) * 1000;
}

function maxCpu(a: kplus.Cpu, b: kplus.Cpu): kplus.Cpu {
  return cpuMillis(a) >= cpuMillis(b) ? a : b;
}

function maxSize(a: Size, b: Size): Size {
  return a.toMebibytes() >= b.toMebibytes() ? a : b;
}
