//! Manifests as people have them: a release's worth of objects of many
//! kinds (RBAC, webhooks, storage, CRDs, custom resources, `kind: List`),
//! in a `manifests:` directory, load; kinds that run no pods are counted
//! as skipped, custom resources are skipped with a warning, and what is
//! modelled comes out right (namespaces, selectors, priorities, labels).

use kubesim_runner::load;
use kubesim_scheduler::Action;
use std::path::Path;

const SCENARIO: &str = r#"
name: shop
duration: 10m
cluster:
  nodes:
    - name: w
      count: 2
      capacity: {cpu: "8", memory: 32Gi}
images:
  shop/web:1.4: {cpu: 500m, memory: 256Mi}
  shop/worker:1.4: {cpu: "1", memory: 512Mi}
manifests: [release]
timeline:
  - {at: 5m, action: scale, target: deployment/shop/web, replicas: 3}
  - {at: 6m, action: scale, target: deployment/worker, replicas: 1}
"#;

const PLATFORM: &str = r#"# Platform objects: none of them runs a pod.
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web, namespace: shop}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: web-reader}
rules:
  - apiGroups: [""]
    resources: [pods, services]
    verbs: [get, list, watch]
  - nonResourceURLs: [/metrics]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: web-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: web-reader}
subjects: [{kind: ServiceAccount, name: web, namespace: shop}]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: ebs.csi.aws.com
parameters: {type: gp3}
reclaimPolicy: Delete
volumeBindingMode: WaitForFirstConsumer
allowVolumeExpansion: true
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec:
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /data}
---
apiVersion: v1
kind: LimitRange
metadata: {name: limits, namespace: shop}
spec:
  limits:
    - type: Container
      default: {cpu: 500m, memory: 512Mi}
      defaultRequest: {cpu: 100m}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: quota, namespace: shop}
spec:
  hard: {requests.cpu: "20", pods: "50"}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: policy}
webhooks:
  - name: validate.policy.example.com
    admissionReviewVersions: [v1]
    sideEffects: None
    failurePolicy: Ignore
    clientConfig:
      service: {name: policy, namespace: policy, path: /validate, port: 443}
      caBundle: Cg==
    rules:
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        operations: [CREATE, UPDATE]
        resources: [deployments]
        scope: Namespaced
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gateways.networking.istio.io}
spec:
  group: networking.istio.io
  names: {kind: Gateway, plural: gateways, singular: gateway, listKind: GatewayList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
          properties:
            spec:
              type: object
              properties:
                servers:
                  type: array
                  items:
                    type: object
                    properties:
                      port: {type: object, properties: {number: {type: integer}}}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: shop-critical}
value: 100000
globalDefault: false
preemptionPolicy: PreemptLowerPriority
description: the shop's own workloads
"#;

const APP: &str = r#"apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: web, namespace: shop}
    data: {LOG_LEVEL: info}
  - apiVersion: v1
    kind: Secret
    metadata: {name: web, namespace: shop}
    type: Opaque
    data: {password: aHVudGVyMg==}
    stringData: {user: admin}
  - apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop}
    spec:
      selector: {app: web}
      ports: [{name: http, port: 80, targetPort: http, protocol: TCP}]
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: shop
      labels: {app.kubernetes.io/name: web}
      creationTimestamp: null
    spec:
      replicas: 2
      revisionHistoryLimit: 5
      strategy:
        type: RollingUpdate
        rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
      selector:
        matchLabels: {app: web}
        matchExpressions:
          - {key: tier, operator: In, values: [front, edge]}
          - {key: canary, operator: DoesNotExist}
      template:
        metadata:
          labels: {app: web, tier: front}
          annotations: {prometheus.io/scrape: "true"}
        spec:
          serviceAccountName: web
          priorityClassName: shop-critical
          hostnameOverride: web-host
          securityContext: {runAsNonRoot: true, fsGroup: 2000}
          affinity:
            podAntiAffinity:
              preferredDuringSchedulingIgnoredDuringExecution:
                - weight: 50
                  podAffinityTerm:
                    topologyKey: kubernetes.io/hostname
                    labelSelector: {matchLabels: {app: web}}
          topologySpreadConstraints:
            - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}
          nodeSelector: {beta.kubernetes.io/os: linux}
          volumes:
            - name: config
              configMap: {name: web, defaultMode: 0644}
            - {name: tmp, emptyDir: {medium: Memory, sizeLimit: 64Mi}}
          containers:
            - name: web
              image: shop/web:1.4
              imagePullPolicy: IfNotPresent
              args: ["--port=8080"]
              ports: [{name: http, containerPort: 8080}]
              env:
                - {name: LOG_LEVEL, valueFrom: {configMapKeyRef: {name: web, key: LOG_LEVEL}}}
                - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
                - {name: WORKERS, value: "4"}
              envFrom: [{secretRef: {name: web}}]
              readinessProbe:
                httpGet: {path: /healthz, port: http}
                initialDelaySeconds: 5
                periodSeconds: 10
              livenessProbe:
                tcpSocket: {port: 8080}
                failureThreshold: 3
              lifecycle:
                preStop: {exec: {command: [sleep, "5"]}}
              resources:
                requests: {cpu: 250m, memory: 256Mi}
                limits: {memory: 512Mi}
              securityContext:
                allowPrivilegeEscalation: false
                capabilities: {drop: [ALL]}
              volumeMounts: [{name: config, mountPath: /etc/web, readOnly: true}]
  - apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: web, namespace: shop}
    spec:
      minAvailable: 1
      selector: {matchLabels: {app: web}}
  - apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: web, namespace: shop}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
      minReplicas: 2
      maxReplicas: 10
      metrics:
        - type: Resource
          resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: web, namespace: shop}
    spec:
      podSelector: {matchLabels: {app: web}}
      policyTypes: [Ingress]
      ingress: [{from: [{namespaceSelector: {matchLabels: {team: edge}}}], ports: [{port: 8080}]}]
"#;

const WORKER_AND_CUSTOM: &str = r#"---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker}
spec:
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers:
        - name: worker
          image: shop/worker:1.4
          resources:
            requests: {cpu: "1", memory: 512Mi}
            limits: {cpu: "1", memory: 512Mi}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop, namespace: shop}
spec: {secretName: shop-tls, dnsNames: [shop.example.com], issuerRef: {name: letsencrypt}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: api, namespace: shop}
spec: {secretName: api-tls, dnsNames: [api.example.com], issuerRef: {name: letsencrypt}}
"#;

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

#[test]
fn a_release_of_many_kinds_loads() {
    let tmp = tempfile::tempdir().expect("tmp");
    write(tmp.path(), "s.yaml", SCENARIO);
    write(tmp.path(), "release/00-platform.yaml", PLATFORM);
    write(tmp.path(), "release/10-app.yml", APP);
    write(tmp.path(), "release/20-worker.yaml", WORKER_AND_CUSTOM);
    write(tmp.path(), "release/README.md", "not a manifest");
    let s = match load(&tmp.path().join("s.yaml")) {
        Ok(s) => s,
        Err(errors) => panic!(
            "{}",
            errors.iter().map(|e| format!("{e}\n")).collect::<String>()
        ),
    };
    assert_eq!(
        s.objects.to_string(),
        "modelled 2 Deployments, 2 Nodes, 1 PriorityClass, 1 Service; skipped 2 Certificates, 1 ClusterRole, 1 ClusterRoleBinding, 1 ConfigMap, 1 CustomResourceDefinition, 1 Gateway, 1 HorizontalPodAutoscaler, 1 IngressClass, 1 LimitRange, 1 Namespace, 1 NetworkPolicy, 1 PersistentVolume, 1 PodDisruptionBudget, 1 ResourceQuota, 1 Secret, 1 ServiceAccount, 1 StorageClass, 1 ValidatingWebhookConfiguration"
    );
    let warnings: Vec<String> = s.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(
        warnings[0].contains("skipped 1 custom resource of kind Gateway (networking.istio.io/v1)"),
        "{warnings:#?}"
    );
    assert!(
        warnings[1].contains("skipped 2 custom resources of kind Certificate (cert-manager.io/v1)"),
        "{warnings:#?}"
    );
    assert!(
        warnings[1].contains("20-worker.yaml:25:7:"),
        "{warnings:#?}"
    );

    let input = &s.input;
    let web = &input.deployments[0];
    assert_eq!(web.metadata.qualified_name(), "shop/web");
    assert_eq!(web.replicas, 2);
    assert_eq!(web.selector.match_expressions.len(), 2);
    assert_eq!(web.template.spec.priority, 100_000);
    assert_eq!(web.template.spec.priority_class_name, "shop-critical");
    let c = &web.template.spec.containers[0];
    assert_eq!(c.resources.cpu_request_m.map(|m| m.0), Some(250));
    assert_eq!(c.resources.memory_limit_bytes.map(|b| b.0), Some(512 << 20));
    let worker = &input.deployments[1];
    assert_eq!(worker.metadata.qualified_name(), "worker");
    assert_eq!(worker.replicas, 1);
    assert_eq!(worker.template.spec.priority, 0);

    let targets: Vec<(&str, &str, i32)> = input
        .timeline
        .iter()
        .filter_map(|t| match &t.action {
            Action::Scale {
                namespace,
                deployment,
                replicas,
            } => Some((namespace.as_str(), deployment.as_str(), *replicas)),
            _ => None,
        })
        .collect();
    assert_eq!(targets, [("shop", "web", 3), ("default", "worker", 1)]);

    // Every label kubelet sets, the deprecated beta ones included.
    let labels = &input.nodes[0].metadata.labels;
    for (k, v) in [
        ("kubernetes.io/hostname", "w-1"),
        ("kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("beta.kubernetes.io/arch", "amd64"),
    ] {
        assert_eq!(labels.get(k).map(String::as_str), Some(v), "{k}");
    }
}

#[test]
fn kubectl_get_output_is_unpacked() {
    let tmp = tempfile::tempdir().expect("tmp");
    write(
        tmp.path(),
        "s.yaml",
        "name: l\nduration: 1m\ncluster: {nodes: [{name: n, capacity: {cpu: \"4\", memory: 8Gi}}]}\nmanifests: [pods.yaml]\n",
    );
    write(
        tmp.path(),
        "pods.yaml",
        r#"apiVersion: v1
items:
- apiVersion: v1
  kind: Pod
  metadata:
    creationTimestamp: "2026-01-02T03:04:05Z"
    name: a
    namespace: default
    resourceVersion: "123"
    uid: 3f0c7a8e-0000-4000-8000-000000000001
  spec:
    containers:
    - image: busybox
      name: c
      resources: {}
      terminationMessagePath: /dev/termination-log
      terminationMessagePolicy: File
    dnsPolicy: ClusterFirst
    enableServiceLinks: true
    preemptionPolicy: PreemptLowerPriority
    priority: 0
    restartPolicy: Always
    schedulerName: default-scheduler
    tolerations:
    - effect: NoExecute
      key: node.kubernetes.io/not-ready
      operator: Exists
      tolerationSeconds: 300
  status:
    phase: Running
    qosClass: BestEffort
kind: List
metadata:
  resourceVersion: ""
"#,
    );
    let s = load(&tmp.path().join("s.yaml")).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(s.input.pods.len(), 1);
    assert_eq!(s.objects.to_string(), "modelled 1 Node, 1 Pod");
}

#[test]
fn a_global_default_class_gives_pods_without_a_class_its_priority() {
    let tmp = tempfile::tempdir().expect("tmp");
    write(
        tmp.path(),
        "s.yaml",
        r#"name: g
duration: 1m
cluster: {nodes: [{name: n, capacity: {cpu: "4", memory: 8Gi}}]}
workloads:
  - {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{name: c, image: i}]}}
  - {apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {priorityClassName: system-node-critical, containers: [{name: c, image: i}]}}
  - {apiVersion: scheduling.k8s.io/v1, kind: PriorityClass, metadata: {name: normal}, value: 1000, globalDefault: true}
"#,
    );
    let s = load(&tmp.path().join("s.yaml")).unwrap_or_else(|e| panic!("{e:?}"));
    let prio: Vec<(i32, &str)> = s
        .input
        .pods
        .iter()
        .map(|p| (p.spec.priority, p.spec.priority_class_name.as_str()))
        .collect();
    assert_eq!(
        prio,
        [(1000, "normal"), (2_000_001_000, "system-node-critical")]
    );
}

/// A big manifest file is parsed in two halves in parallel: errors carry
/// the file's own line numbers in both, a PriorityClass declared in the
/// second half serves pods of the first, and the result does not depend
/// on which half finishes first.
#[test]
fn a_big_manifest_file_is_parsed_in_halves() {
    let tmp = tempfile::tempdir().expect("tmp");
    write(
        tmp.path(),
        "s.yaml",
        "name: big\nduration: 1m\ncluster: {nodes: [{name: n, capacity: {cpu: \"64\", memory: 256Gi}}]}\nlimits: {maxObjects: 100000}\nmanifests: [pods.yaml]\n",
    );
    let mut text = String::new();
    let mut bad_lines = Vec::new();
    let mut widget_line = 0;
    for i in 0..4000 {
        text.push_str("---\n");
        if i == 3000 {
            text.push_str("apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: late}\nvalue: 7\n---\n");
        }
        if i == 100 || i == 3900 {
            if i == 100 {
                widget_line = text.lines().count() + 2;
            }
            text.push_str("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\n");
        }
        let memory = if i == 10 || i == 3990 {
            bad_lines.push(text.lines().count() + 10);
            "1Gj"
        } else {
            "64Mi"
        };
        text.push_str(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\nspec:\n  priorityClassName: late\n  containers:\n    - name: c\n      image: busy\n      resources: {{limits: {{memory: {memory}}}}}\n"
        ));
    }
    assert!(text.len() > 256 << 10);
    write(tmp.path(), "pods.yaml", &text);
    let errors = load(&tmp.path().join("s.yaml")).expect_err("two bad quantities");
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, bad_lines, "{errors:#?}");
    for e in &errors {
        assert_eq!(e.column, 36, "{e}");
        assert_eq!(e.path, "spec.containers[0].resources.limits.memory", "{e}");
    }
    // Fixed, it loads: every pod admitted with the class from the second half.
    write(tmp.path(), "pods.yaml", &text.replace("1Gj", "1Gi"));
    for _ in 0..3 {
        let s = load(&tmp.path().join("s.yaml")).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(s.input.pods.len(), 4000);
        assert!(s.input.pods.iter().all(|p| p.spec.priority == 7));
        let names: Vec<&str> = s
            .input
            .pods
            .iter()
            .map(|p| p.metadata.name.as_str())
            .collect();
        assert_eq!(names[..3], ["p0", "p1", "p2"]);
        assert_eq!(s.warnings.len(), 1);
        let w = s.warnings[0].to_string();
        assert!(
            w.contains("skipped 2 custom resources of kind Widget"),
            "{w}"
        );
        assert!(w.contains(&format!("pods.yaml:{widget_line}:7:")), "{w}");
    }
}
