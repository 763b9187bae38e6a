import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fetchAcrossRestarts } from './fetchAcrossRestarts';
import { PLATFORM_STATE_DIR, readPlatformFile } from './platformEnv';

// Stops and starts the whole platform, so scripts/test.sh runs this file on its
// own after every other suite (its name keeps it out of the parallel run).

jest.setTimeout(15 * 60_000);

const SCRIPTS = path.resolve(__dirname, '../../../scripts/platform');
const COMPONENTS = ['kube', 'mlflow', 'zenml', 'lakefs'];
// Serving's servers on 127.0.0.1 (gateway.sh, registry.sh, prometheus.sh).
const SERVING = ['gateway', 'registry', 'prometheus'];
const serving = () => fs.existsSync(path.join(PLATFORM_STATE_DIR, 'node.json'));

function run(script: string) {
  execFileSync(path.join(SCRIPTS, script), { stdio: 'inherit' });
}

interface Daemon {
  name: string;
  pid: number;
}

function daemons(): Daemon[] {
  return fs
    .readdirSync(PLATFORM_STATE_DIR)
    .filter(f => f.endsWith('.pid'))
    .map(f => ({
      name: f.replace(/\.pid$/, ''),
      pid: Number(fs.readFileSync(path.join(PLATFORM_STATE_DIR, f), 'utf8')),
    }));
}

function ports(): number[] {
  return [...COMPONENTS, ...(serving() ? SERVING : [])].flatMap(c => {
    const { url, server } = readPlatformFile(c);
    return [Number(new URL(url ?? server).port)];
  });
}

/** Processes still in the process group of a stopped daemon, e.g. server workers. */
function survivors(groups: number[]): string[] {
  return fs
    .readdirSync('/proc')
    .filter(d => /^\d+$/.test(d))
    .flatMap(pid => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after the parenthesised command: state, ppid, pgrp, ...
        const pgrp = Number(
          stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2],
        );
        return groups.includes(pgrp) ? [`${pid} (group ${pgrp})`] : [];
      } catch {
        return []; // exited while we looked
      }
    });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * What the real node holds on the machine (node.sh): its network namespaces,
 * the host's end of its link, its route, its cgroups and every mount under
 * the state directory.
 */
interface NodeFootprint {
  netns: string[];
  hostInterface: string;
  podSubnet: string;
  cgroupRoot: string;
}

function nodeFootprint(): NodeFootprint | undefined {
  if (!serving()) return undefined;
  const node = readPlatformFile('node');
  return {
    netns: [node.netns, readPlatformFile('rollouts').netns],
    hostInterface: node.hostInterface,
    podSubnet: node.podSubnet,
    cgroupRoot: node.cgroupRoot,
  };
}

/** What of a node's footprint is still there. */
function leftOf(footprint: NodeFootprint): string[] {
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  const routes = execFileSync('ip', ['-4', 'route', 'show'], {
    encoding: 'utf8',
  });
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map(line => line.split(' ')[4])
    .filter(m => m?.startsWith(`${fs.realpathSync(PLATFORM_STATE_DIR)}/`));
  const cgroups = fs
    .readdirSync('/sys/fs/cgroup')
    .map(c => path.join('/sys/fs/cgroup', c, footprint.cgroupRoot))
    .filter(dir => fs.existsSync(dir));
  return [
    ...footprint.netns
      .filter(n => new RegExp(`^${n}\\b`, 'm').test(netns))
      .map(n => `netns ${n}`),
    ...(fs.existsSync(`/sys/class/net/${footprint.hostInterface}`)
      ? [`interface ${footprint.hostInterface}`]
      : []),
    ...(routes.includes(footprint.podSubnet)
      ? [`route ${footprint.podSubnet}`]
      : []),
    ...mounts.map(m => `mount ${m}`),
    ...cgroups.map(c => `cgroup ${c}`),
  ];
}

async function expectAllStopped(
  groups: number[],
  used: number[],
  footprint?: NodeFootprint,
) {
  expect(survivors(groups)).toEqual([]);
  if (footprint) expect(leftOf(footprint)).toEqual([]);
  for (const port of used) {
    expect({ port, free: await portIsFree(port) }).toEqual({
      port,
      free: true,
    });
  }
}

async function expectAllHealthy() {
  const mlflow = readPlatformFile('mlflow');
  expect((await fetchAcrossRestarts(`${mlflow.url}/health`)).status).toBe(200);
  const lakefs = readPlatformFile('lakefs');
  expect(
    (await fetchAcrossRestarts(`${lakefs.url}/api/v1/healthcheck`)).status,
  ).toBe(204);
  const zenml = readPlatformFile('zenml');
  expect((await fetchAcrossRestarts(`${zenml.url}/health`)).status).toBe(200);
  expect(fs.existsSync(readPlatformFile('kube').kubeconfig)).toBe(true);
}

describe('the local platform lifecycle', () => {
  it('stops without leaving a process or port behind, and starts again', async () => {
    await expectAllHealthy();
    const firstDaemons = daemons();
    const firstPorts = ports();
    const firstFootprint = nodeFootprint();
    expect(firstDaemons.map(d => d.name)).toEqual(
      expect.arrayContaining([
        'kube-apiserver',
        'kube-etcd',
        'mlflow',
        'zenml',
        'lakefs',
      ]),
    );

    run('down.sh');
    await expectAllStopped(
      firstDaemons.map(d => d.pid),
      firstPorts,
      firstFootprint,
    );

    run('up.sh');
    await expectAllHealthy();
    const secondDaemons = daemons();
    const secondPorts = ports();
    const secondFootprint = nodeFootprint();

    run('down.sh');
    await expectAllStopped(
      secondDaemons.map(d => d.pid),
      secondPorts,
      secondFootprint,
    );

    // Leave the platform as this test found it.
    run('up.sh');
    await expectAllHealthy();
  });
});
