import fs from 'node:fs';
import path from 'node:path';
import { Fatal } from './fatal.mjs';
import { pythonJsonDumps } from './pythonJson.mjs';
import { addRealRollout, addSeededRollout } from './demo/argoRollout.mjs';
import {
  addGateway,
  addGatewayClass,
  addHttpRoute,
  GATEWAY_CONTROLLER,
} from './demo/gatewayApi.mjs';
import { addInferenceService } from './demo/kserve.mjs';
import { meta, objectKey } from './demo/objectMeta.mjs';
import {
  FAKE_NODE_TOLERATION,
  httpPort,
  REAL_NODE_TOLERATION,
  SERVICE_PORT,
  servingPodSpec,
} from './demo/podSpecs.mjs';

export { GATEWAY_CONTROLLER, objectKey };

function readJson(file, fallback) {
  if (!fs.existsSync(file)) return fallback;
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/**
 * The objects of the demo platform of demo-platform.json, in the order they
 * are applied.
 *
 * With serving on, the real node runs the serving namespaces' pods from the
 * images registry.sh seed built (STATE_DIR/images.json), Traefik (gateway.sh)
 * is the Gateway API controller and the Argo Rollouts controller
 * (rollouts.sh) runs: no status of theirs is written, and the Rollout gets to
 * its paused canary by the controller's own steps (`actions`). Versions
 * without an image (the loader refuses them) and KServe's objects stay on
 * kwok's fake nodes; no KServe controller runs, so the InferenceService's
 * status is written the way KServe would. With serving off, no Gateway API or
 * Argo Rollouts controller runs either, and their status is written too,
 * each under the field manager of that controller.
 */
export class DemoObjects {
  constructor(spec, stateDir, serving) {
    this.spec = spec;
    this.stateDir = stateDir;
    this.serving = serving;
    this.models = new Map(spec.models.map(m => [m.name, m]));
    /** { obj, status: builder from the current object or undefined, manager: the controller's } */
    this.items = [];
    /** Steps run after every object is applied: async fn(kube, seedRollout), in order. */
    this.actions = [];
    /** objectKey of objects applied only when missing. */
    this.createOnly = new Set();
    /** objectKey -> whether the current object must be made anew rather than applied. */
    this.replaceIf = new Map();
    this.routesPerNamespace = new Map();
    if (serving) {
      this.images = readJson(path.join(stateDir, 'images.json'));
      this.gatewayInfo = readJson(path.join(stateDir, 'gateway.json'));
      if (!this.images || !this.gatewayInfo) {
        throw new Fatal(
          `serving is on but images.json or gateway.json is missing in ${stateDir}: run registry.sh seed and gateway.sh start first`,
        );
      }
    } else {
      this.images = { models: {}, processing: {} };
    }
  }

  add(obj, status, manager) {
    this.items.push({ obj, status, manager });
  }

  versionLabels(model, version) {
    return {
      'app.kubernetes.io/name': model.service,
      'backstage.io/kubernetes-id': model.service,
      'ml-platform.io/model': model.name,
      'ml-platform.io/model-version': String(version),
    };
  }

  serviceLabels(model) {
    return {
      'app.kubernetes.io/name': model.service,
      'backstage.io/kubernetes-id': model.service,
      'ml-platform.io/model': model.name,
    };
  }

  versionOf(model, version) {
    const found = model.versions.find(v => v.version === Number(version));
    if (!found) {
      throw new Fatal(`${model.name} has no version ${version} in the spec`);
    }
    return found;
  }

  /** The image built for a model version (registry.sh seed), or undefined: no image, no real pod. */
  imageOf(model, version) {
    return this.images.models[`${model.name}/${version}`];
  }

  podTemplate(model, version, extraLabels) {
    const labels = { ...this.versionLabels(model, version), ...extraLabels };
    const image = this.imageOf(model, version);
    if (image) {
      return {
        metadata: { labels },
        spec: servingPodSpec('model', image, [
          { name: 'MODEL_NAME', value: model.name },
          { name: 'MODEL_VERSION', value: String(version) },
        ]),
      };
    }
    const spec = {
      containers: [
        {
          name: 'model',
          image: `registry.example.com/models/${model.service}:${version}`,
          ports: [httpPort()],
          env: [
            { name: 'MODEL_URI', value: `models:/${model.name}/${version}` },
          ],
        },
      ],
    };
    if (this.serving) {
      // No image (the loader refuses the version, or KServe's objects): kwok plays it.
      spec.nodeSelector = { type: 'kwok' };
      spec.tolerations = [FAKE_NODE_TOLERATION];
    }
    return { metadata: { labels }, spec };
  }

  // -- plain workloads

  deployment(model, version, namespace, replicas, extraLabels) {
    const labels = { ...this.versionLabels(model, version), ...extraLabels };
    this.add({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(`${model.service}-v${version}`, namespace, labels),
      spec: {
        replicas,
        selector: {
          matchLabels: {
            'app.kubernetes.io/name': model.service,
            'ml-platform.io/model-version': String(version),
          },
        },
        template: this.podTemplate(model, version),
      },
    });
  }

  service(name, namespace, labels, selector, annotations, port = SERVICE_PORT) {
    this.add({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name, namespace, labels, annotations),
      spec: {
        selector,
        ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }],
      },
    });
  }

  versionWorkload(model, version, namespace, replicas, extraLabels) {
    this.deployment(model, version, namespace, replicas, extraLabels);
    this.service(
      `${model.service}-v${version}`,
      namespace,
      this.versionLabels(model, version),
      {
        'app.kubernetes.io/name': model.service,
        'ml-platform.io/model-version': String(version),
      },
    );
  }

  /** backends: [[service name, weight]]; backendKind: [group, kind] other than a Service's. */

  httprouteDeployment(d, model, replicas) {
    const weights = Object.entries(d.weights)
      .map(([v, w]) => [Number(v), Number(w)])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [v] of weights) {
      this.versionWorkload(model, v, d.namespace, replicas);
    }
    addHttpRoute(
      this,
      model.service,
      d.namespace,
      this.serviceLabels(model),
      weights.map(([v, w]) => [`${model.service}-v${v}`, w]),
    );
    // The name in-cluster callers use (the template's services.yaml): every version's pods.
    this.service(model.service, d.namespace, this.serviceLabels(model), {
      'app.kubernetes.io/name': model.service,
    });
  }

  // -- processing services

  processingService(p) {
    const { namespace: ns, name } = p;
    const labels = {
      'app.kubernetes.io/name': name,
      'app.kubernetes.io/component': 'processing-service',
      'backstage.io/kubernetes-id': name,
    };
    const env = [
      {
        name: 'MODEL_SERVICE_URL',
        value: `http://${p.modelService}:${SERVICE_PORT}`,
      },
    ];
    if (p.next) {
      env.push({
        name: 'POSTPROCESSING_URL',
        value: `http://${p.next}:${SERVICE_PORT}`,
      });
    }
    const image = this.images.processing[name];
    let spec;
    if (image) {
      spec = servingPodSpec('service', image, env);
    } else {
      spec = {
        containers: [
          {
            name: 'service',
            image: `registry.example.com/ml/${name}:latest`,
            env,
            ports: [httpPort()],
          },
        ],
      };
      if (this.serving) {
        spec.nodeSelector = { type: 'kwok' };
        spec.tolerations = [FAKE_NODE_TOLERATION];
      }
    }
    this.add({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(name, ns, labels),
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': name } },
        template: { metadata: { labels }, spec },
      },
    });
    this.service(name, ns, labels, { 'app.kubernetes.io/name': name });
    if (p.exposed) addHttpRoute(this, name, ns, labels, [[name, 1]]);
  }

  // -- tools

  toolService(tool) {
    const info = readJson(path.join(this.stateDir, `${tool.name}.json`), {});
    const annotations = info.url
      ? { 'ml-platform.io/dashboard-url': info.url }
      : undefined;
    const labels = {
      'ml-platform.io/tool': tool.name,
      'app.kubernetes.io/name': tool.name,
      'backstage.io/kubernetes-id': tool.name,
    };
    this.service(
      tool.name,
      tool.namespace,
      labels,
      { 'app.kubernetes.io/name': tool.name },
      annotations,
      tool.port,
    );
  }

  build() {
    const envs = new Map(
      this.spec.environments.map(e => [e.namespace, e.name]),
    );
    const toolNamespaces = [
      ...new Set(this.spec.tools.map(t => t.namespace)),
    ].filter(ns => !envs.has(ns));
    for (const ns of [...envs.keys(), ...toolNamespaces.sort()]) {
      const metadata = {
        name: ns,
        labels: envs.has(ns)
          ? { 'ml-platform.io/environment': envs.get(ns) }
          : {},
      };
      if (this.serving && envs.has(ns)) {
        // The serving namespaces' pods tolerate the real node's taint, and
        // only it (PodTolerationRestriction: this replaces the fake nodes'
        // cluster default).
        metadata.annotations = {
          'scheduler.alpha.kubernetes.io/defaultTolerations': pythonJsonDumps([
            REAL_NODE_TOLERATION,
          ]),
        };
      }
      this.add({ apiVersion: 'v1', kind: 'Namespace', metadata });
    }
    addGatewayClass(this);
    const builders = {
      httproute: (...args) => this.httprouteDeployment(...args),
      'argo-rollout': (...args) =>
        this.serving
          ? addRealRollout(this, ...args)
          : addSeededRollout(this, ...args),
      kserve: (...args) => addInferenceService(this, ...args),
    };
    for (const d of this.spec.deployments) {
      const model = this.models.get(d.model);
      const replicas = envs.get(d.namespace) === 'prod' ? 2 : 1;
      if (!builders[d.router]) {
        throw new Fatal(`deployment of ${d.model}: no router ${d.router}`);
      }
      builders[d.router](d, model, replicas);
    }
    for (const p of this.spec.processing ?? []) this.processingService(p);
    for (const ns of [...this.routesPerNamespace.keys()].sort()) {
      addGateway(this, ns);
    }
    for (const tool of this.spec.tools) this.toolService(tool);
    return this;
  }
}
