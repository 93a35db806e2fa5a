//! The Helm chart (`infra/helm/todo-chatbot`), checked without a cluster and
//! held against the program it deploys.
//!
//! - `helm lint --strict` with Helm 3 and Helm 4, on every value set in
//!   `infra/helm/tests/values/`.
//! - Every set rendered by both, for Kubernetes 1.28 and for the newest
//!   version kubernetes-validate ships, passes `kubernetes-validate --strict`.
//! - A policy over every rendered container: non-root, read-only root
//!   filesystem, no privilege escalation, all capabilities dropped,
//!   RuntimeDefault seccomp, resources, and liveness and readiness probes.
//! - A contract: the real `todo serve`, started with exactly the environment
//!   the chart gives the backend (the database swapped for a real test
//!   PostgreSQL), listens on the container port and answers every probe path
//!   the chart renders; every variable the chart sets is one the server
//!   reads; every Secret and ConfigMap key referenced exists.
//! - `values.schema.json` (and the chart's own checks) refuse every file in
//!   `infra/helm/tests/invalid/`, with the message its `# expect:` line names.
//! - Every script passes shellcheck and answers `--help`.
//!
//! Tools come from `TODO_TEST_HELM3`, `TODO_TEST_HELM4`,
//! `TODO_TEST_KUBERNETES_VALIDATE` and `TODO_TEST_SHELLCHECK`
//! (`eval "$(bash .ci/chart-tools.sh)"` installs them and prints these),
//! else from where that script installs them (`cargo xtask test` runs it).
//! A test whose tool is missing prints a `SKIPPED` line (listed again in
//! `cargo xtask test`'s summary), unless `CI` is set: then it fails.

use base64::Engine;
use serde::Deserialize;
use serde_norway::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use todo_testkit::workspace_root as root;

/// The oldest Kubernetes the chart supports (Chart.yaml's kubeVersion).
const OLDEST_KUBERNETES: &str = "1.28.0";
/// The release name and namespace the sets are rendered with.
const RELEASE: &str = "todo-chatbot";
const NAMESPACE: &str = "todo";

fn chart() -> PathBuf {
    root().join("infra/helm/todo-chatbot")
}

fn fixtures() -> PathBuf {
    root().join("infra/helm/tests")
}

/// A tool's path: its variable, else where `.ci/chart-tools.sh` (run by
/// `cargo xtask test`) installs it; `None` after a `SKIPPED` line when it is
/// in neither place (under CI, a failure).
fn tool(var: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(path.is_file(), "{var}={} is not a file", path.display());
        return Some(path);
    }
    if let Some(path) = installed_tool(var).filter(|p| p.is_file()) {
        return Some(path);
    }
    todo_testkit::cannot_run(&format!(
        "{var} is not set and the chart tools are not installed \
         (`cargo xtask test` installs them; or `eval \"$(bash .ci/chart-tools.sh)\"`)"
    ));
    None
}

/// The default places of `.ci/chart-tools.sh`'s tools.
fn installed_tool(var: &str) -> Option<PathBuf> {
    let cache = PathBuf::from(std::env::var_os("HOME")?).join(".cache/todo-chatbot");
    match var {
        "TODO_TEST_HELM3" => Some(cache.join("tools/helm3/helm")),
        "TODO_TEST_HELM4" => Some(cache.join("tools/helm4/helm")),
        "TODO_TEST_KUBERNETES_VALIDATE" => Some(cache.join("chart-venv/bin/kubernetes-validate")),
        "TODO_TEST_SHELLCHECK" => Some(PathBuf::from("/usr/bin/shellcheck")),
        _ => None,
    }
}

fn output(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs the command; its stdout, or a failure that shows everything it said.
fn succeed(command: &mut Command) -> String {
    let out = output(command);
    assert!(
        out.status.success(),
        "{command:?} failed ({}):\n{}",
        out.status,
        text(&out)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

struct Helm {
    name: &'static str,
    path: PathBuf,
}

/// Helm 3 and Helm 4 (those whose variables are set), each checked to be
/// the major version it claims.
fn helms() -> Vec<Helm> {
    let mut helms = Vec::new();
    for (var, name, major) in [
        ("TODO_TEST_HELM3", "helm3", "v3."),
        ("TODO_TEST_HELM4", "helm4", "v4."),
    ] {
        if let Some(path) = tool(var) {
            let version = succeed(Command::new(&path).args(["version", "--short"]));
            assert!(
                version.starts_with(major),
                "{var} is {version}, not {major}x"
            );
            helms.push(Helm { name, path });
        }
    }
    helms
}

/// A file of values in `infra/helm/tests/values/`, and the Secret it expects
/// to exist (`<name>.secret.yaml`), if any.
#[derive(Clone)]
struct ValueSet {
    name: String,
    file: PathBuf,
    existing: Vec<Value>,
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn value_sets() -> Vec<ValueSet> {
    let mut sets: Vec<ValueSet> = yaml_files(&fixtures().join("values"))
        .into_iter()
        .filter(|file| !file.to_string_lossy().ends_with(".secret.yaml"))
        .map(|file| {
            let name = file.file_stem().unwrap().to_string_lossy().into_owned();
            let secret = file.with_file_name(format!("{name}.secret.yaml"));
            let existing = if secret.exists() {
                documents(&std::fs::read_to_string(&secret).unwrap())
            } else {
                Vec::new()
            };
            ValueSet {
                name,
                file,
                existing,
            }
        })
        .collect();
    // The chart's own production starting point, with the Secret it expects.
    sets.push(ValueSet {
        name: "production".into(),
        file: chart().join("values-production.yaml"),
        existing: documents(
            &std::fs::read_to_string(fixtures().join("values/production.secret.yaml")).unwrap(),
        ),
    });
    for wanted in [
        "default",
        "external-db-url",
        "existing-secret",
        "ingress-tls",
        "hpa-networkpolicy",
        "replicas",
        "gateway-backup",
        "production",
    ] {
        assert!(
            sets.iter().any(|s| s.name == wanted),
            "the value set {wanted}.yaml is missing from infra/helm/tests/values"
        );
    }
    sets
}

/// The YAML documents of a stream, without empty ones.
fn documents(yaml: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(yaml)
        .map(|document| Value::deserialize(document).expect("valid YAML"))
        .filter(|value| !value.is_null())
        .collect()
}

fn template(helm: &Helm, set: &ValueSet, kubernetes: &str) -> String {
    succeed(
        Command::new(&helm.path)
            .arg("template")
            .arg(RELEASE)
            .arg(chart())
            .args(["--namespace", NAMESPACE, "--kube-version", kubernetes])
            .arg("--values")
            .arg(&set.file),
    )
}

/// The newest Kubernetes version kubernetes-validate knows (its default).
fn newest_kubernetes(validate: &Path) -> String {
    let help = succeed(Command::new(validate).arg("--help"));
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let version = flat
        .split("Defaults to ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .map(|v| v.trim_end_matches('.').to_owned())
        .unwrap_or_else(|| panic!("no default version in kubernetes-validate --help:\n{help}"));
    assert!(
        version.starts_with("1."),
        "unexpected Kubernetes version {version}"
    );
    version
}

/// One value set rendered by one Helm for one Kubernetes version.
struct Rendered {
    set: ValueSet,
    helm: &'static str,
    kubernetes: String,
    yaml: String,
    docs: Vec<Value>,
}

impl Rendered {
    fn label(&self) -> String {
        format!(
            "{} (by {}, Kubernetes {})",
            self.set.name, self.helm, self.kubernetes
        )
    }

    fn find(&self, kind: &str, name: &str) -> Option<&Value> {
        self.docs.iter().find(|d| {
            str_at(d, &["kind"]) == Some(kind) && str_at(d, &["metadata", "name"]) == Some(name)
        })
    }

    fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.docs
            .iter()
            .filter(move |d| str_at(d, &["kind"]) == Some(kind))
    }

    fn full_name(&self, component: &str) -> String {
        format!("{RELEASE}-{component}")
    }
}

/// Every set, by every Helm available, for the oldest and newest Kubernetes;
/// `None` when no Helm is.
fn rendered() -> Option<&'static [Rendered]> {
    static RENDERED: OnceLock<Option<Vec<Rendered>>> = OnceLock::new();
    RENDERED
        .get_or_init(|| {
            let helms = helms();
            if helms.is_empty() {
                return None;
            }
            let newest = tool("TODO_TEST_KUBERNETES_VALIDATE")
                .map(|validate| newest_kubernetes(&validate))
                .unwrap_or_else(|| "1.37.0".into());
            let mut all = Vec::new();
            for helm in &helms {
                for set in value_sets() {
                    for kubernetes in [OLDEST_KUBERNETES.to_owned(), newest.clone()] {
                        let yaml = template(helm, &set, &kubernetes);
                        let docs = documents(&yaml);
                        all.push(Rendered {
                            set: set.clone(),
                            helm: helm.name,
                            kubernetes,
                            yaml,
                            docs,
                        });
                    }
                }
            }
            Some(all)
        })
        .as_deref()
}

fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(*key))
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(value, path).and_then(Value::as_str)
}

fn list_at<'a>(value: &'a Value, path: &[&str]) -> &'a [Value] {
    at(value, path)
        .and_then(Value::as_sequence)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// The pod spec of a workload (Deployment, StatefulSet, Job…) or of a Pod.
fn pod_spec(doc: &Value) -> Option<&Value> {
    match str_at(doc, &["kind"])? {
        "Pod" => at(doc, &["spec"]),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            at(doc, &["spec", "template", "spec"])
        }
        "CronJob" => at(doc, &["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => None,
    }
}

/// (container, is it an init container) of a pod spec.
fn containers(pod: &Value) -> Vec<(&Value, bool)> {
    let mut all: Vec<(&Value, bool)> = list_at(pod, &["containers"])
        .iter()
        .map(|c| (c, false))
        .collect();
    all.extend(list_at(pod, &["initContainers"]).iter().map(|c| (c, true)));
    all
}

// ---------------------------------------------------------------- lint

#[test]
fn helm_lint_passes_with_helm_3_and_4() {
    let helms = helms();
    if helms.is_empty() {
        return;
    }
    for helm in &helms {
        for set in value_sets() {
            let out = succeed(
                Command::new(&helm.path)
                    .args(["lint", "--strict"])
                    .arg(chart())
                    .arg("--values")
                    .arg(&set.file),
            );
            assert!(
                out.contains("0 chart(s) failed"),
                "{} lint of {}:\n{out}",
                helm.name,
                set.name
            );
        }
    }
}

// ---------------------------------------------------------------- schemas

#[test]
fn every_rendered_set_passes_kubernetes_validate_strict() {
    let Some(validate) = tool("TODO_TEST_KUBERNETES_VALIDATE") else {
        return;
    };
    let Some(rendered) = rendered() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let versions: BTreeSet<&str> = rendered.iter().map(|r| r.kubernetes.as_str()).collect();
    assert_eq!(versions.len(), 2, "the oldest and the newest: {versions:?}");
    for version in &versions {
        let mut files = Vec::new();
        for render in rendered.iter().filter(|r| r.kubernetes == *version) {
            let file = dir.path().join(format!(
                "{}-{}-{version}.yaml",
                render.helm, render.set.name
            ));
            std::fs::write(&file, &render.yaml).unwrap();
            files.push(file);
        }
        let started = Instant::now();
        succeed(
            Command::new(&validate)
                .args(["--strict", "--quiet", "--kubernetes-version", version])
                .args(&files),
        );
        eprintln!(
            "kubernetes-validate --strict, Kubernetes {version}: {} rendered sets passed in {:.1}s",
            files.len(),
            started.elapsed().as_secs_f64()
        );
    }
}

// ---------------------------------------------------------------- policy

/// What a container lacks of the restricted policy; empty when it complies.
fn policy_violations(doc: &Value) -> Vec<String> {
    let Some(pod) = pod_spec(doc) else {
        return Vec::new();
    };
    let workload = format!(
        "{}/{}",
        str_at(doc, &["kind"]).unwrap_or("?"),
        str_at(doc, &["metadata", "name"]).unwrap_or("?")
    );
    // A pod that runs to completion (a Job, the helm test pod) has no use
    // for liveness and readiness probes; Kubernetes refuses them on init
    // containers.
    let runs_to_completion = matches!(str_at(doc, &["kind"]), Some("Job" | "CronJob"))
        || matches!(str_at(pod, &["restartPolicy"]), Some("Never" | "OnFailure"));
    let pod_context = at(pod, &["securityContext"]);
    let mut violations = Vec::new();
    // The Pod Security Standard "restricted" (the chart README tells how to
    // enforce it on the namespace): nothing of the host, only these volumes.
    for host in ["hostNetwork", "hostPID", "hostIPC"] {
        if at(pod, &[host]).and_then(Value::as_bool) == Some(true) {
            violations.push(format!("{workload}: {host}"));
        }
    }
    for volume in list_at(pod, &["volumes"]) {
        let kinds: Vec<&str> = volume
            .as_mapping()
            .unwrap()
            .keys()
            .filter_map(Value::as_str)
            .filter(|k| *k != "name")
            .collect();
        for kind in kinds {
            if ![
                "configMap",
                "csi",
                "downwardAPI",
                "emptyDir",
                "ephemeral",
                "persistentVolumeClaim",
                "projected",
                "secret",
            ]
            .contains(&kind)
            {
                violations.push(format!("{workload}: a {kind} volume"));
            }
        }
    }
    for (container, init) in containers(pod) {
        let name = format!(
            "{workload} container {}",
            str_at(container, &["name"]).unwrap_or("?")
        );
        let own = at(container, &["securityContext"]);
        let effective = |path: &[&str]| {
            own.and_then(|c| at(c, path))
                .or_else(|| pod_context.and_then(|p| at(p, path)))
        };
        let mut lacks = |what: &str| violations.push(format!("{name}: {what}"));
        if effective(&["runAsNonRoot"]).and_then(Value::as_bool) != Some(true) {
            lacks("runAsNonRoot: true");
        }
        if effective(&["runAsUser"]).and_then(Value::as_u64) == Some(0) {
            lacks("a user other than root (runAsUser is 0)");
        }
        if own
            .and_then(|c| at(c, &["readOnlyRootFilesystem"]))
            .and_then(Value::as_bool)
            != Some(true)
        {
            lacks("readOnlyRootFilesystem: true");
        }
        if own
            .and_then(|c| at(c, &["allowPrivilegeEscalation"]))
            .and_then(Value::as_bool)
            != Some(false)
        {
            lacks("allowPrivilegeEscalation: false");
        }
        if own
            .and_then(|c| at(c, &["privileged"]))
            .and_then(Value::as_bool)
            == Some(true)
        {
            lacks("privileged off");
        }
        let drops_all = own
            .map(|c| list_at(c, &["capabilities", "drop"]))
            .unwrap_or(&[])
            .iter()
            .any(|cap| cap.as_str() == Some("ALL"));
        if !drops_all {
            lacks("capabilities.drop: [ALL]");
        }
        if own
            .map(|c| list_at(c, &["capabilities", "add"]).len())
            .unwrap_or(0)
            > 0
        {
            lacks("no added capabilities");
        }
        if effective(&["seccompProfile", "type"]).and_then(Value::as_str) != Some("RuntimeDefault")
        {
            lacks("seccompProfile RuntimeDefault");
        }
        for kind in ["requests", "limits"] {
            for resource in ["cpu", "memory"] {
                if at(container, &["resources", kind, resource]).is_none() {
                    lacks(&format!("resources.{kind}.{resource}"));
                }
            }
        }
        if !init && !runs_to_completion {
            for probe in ["livenessProbe", "readinessProbe"] {
                if at(container, &[probe]).is_none() {
                    lacks(probe);
                }
            }
        }
    }
    violations
}

/// Makes a container's securityContext weaker.
type Weaken = fn(&mut serde_norway::Mapping);

#[test]
fn every_container_meets_the_restricted_policy() {
    let Some(rendered) = rendered() else {
        return;
    };
    let mut violations = Vec::new();
    let mut checked = 0;
    for render in rendered {
        for doc in &render.docs {
            if let Some(pod) = pod_spec(doc) {
                checked += containers(pod).len();
                violations.extend(
                    policy_violations(doc)
                        .into_iter()
                        .map(|v| format!("{}: {v}", render.label())),
                );
            }
        }
    }
    assert!(
        violations.is_empty(),
        "containers outside the policy:\n{}",
        violations.join("\n")
    );
    assert!(checked > 0);
    eprintln!(
        "policy: {checked} containers in {} renders comply",
        rendered.len()
    );

    // The policy is not vacuous: each weakening of the backend is caught.
    let render = &rendered[0];
    let backend = render
        .find("Deployment", &render.full_name("backend"))
        .expect("the backend Deployment");
    let weakenings: [(&str, Weaken); 6] = [
        ("readOnlyRootFilesystem", |c| {
            c.remove("readOnlyRootFilesystem");
        }),
        ("allowPrivilegeEscalation", |c| {
            c.insert("allowPrivilegeEscalation".into(), true.into());
        }),
        ("capabilities", |c| {
            c.remove("capabilities");
        }),
        ("runAsUser is 0", |c| {
            c.insert("runAsUser".into(), 0.into());
        }),
        ("privileged", |c| {
            c.insert("privileged".into(), true.into());
        }),
        ("runAsNonRoot", |c| {
            c.insert("runAsNonRoot".into(), false.into());
        }),
    ];
    for (what, weaken) in weakenings {
        let mut weak = backend.clone();
        let context = weak["spec"]["template"]["spec"]["containers"][0]["securityContext"]
            .as_mapping_mut()
            .expect("a container securityContext");
        weaken(context);
        let found = policy_violations(&weak);
        assert!(
            found.iter().any(|v| v.contains(what)),
            "weakening {what} went unnoticed: {found:?}"
        );
    }
    for field in ["livenessProbe", "readinessProbe", "resources"] {
        let mut weak = backend.clone();
        weak["spec"]["template"]["spec"]["containers"][0]
            .as_mapping_mut()
            .unwrap()
            .remove(field);
        assert!(
            !policy_violations(&weak).is_empty(),
            "removing {field} went unnoticed"
        );
    }
}

// ---------------------------------------------------------------- what each set renders

#[test]
fn each_set_renders_what_it_asks_for() {
    let Some(rendered) = rendered() else {
        return;
    };
    for render in rendered {
        let label = render.label();
        let count = |kind: &str| render.of_kind(kind).count();
        let backend = render
            .find("Deployment", &render.full_name("backend"))
            .unwrap_or_else(|| panic!("{label}: no backend Deployment"));
        let backend_pod = pod_spec(backend).unwrap();
        assert!(
            render
                .find("Deployment", &render.full_name("frontend"))
                .is_some(),
            "{label}: no frontend Deployment"
        );
        // Checksums roll the pods when the configuration changes.
        assert!(
            at(
                backend,
                &[
                    "spec",
                    "template",
                    "metadata",
                    "annotations",
                    "checksum/config"
                ]
            )
            .is_some(),
            "{label}: the backend pods carry no config checksum"
        );
        let secret = render.find("Secret", RELEASE);
        match render.set.name.as_str() {
            "default" => {
                assert_eq!(
                    count("StatefulSet"),
                    1,
                    "{label}: the in-cluster PostgreSQL"
                );
                assert_eq!(
                    count("PersistentVolumeClaim"),
                    0,
                    "{label}: claims come from volumeClaimTemplates"
                );
                let statefulset = render.of_kind("StatefulSet").next().unwrap();
                assert_eq!(
                    list_at(statefulset, &["spec", "volumeClaimTemplates"]).len(),
                    1,
                    "{label}"
                );
                assert!(secret.is_some(), "{label}: the chart's Secret");
                assert_eq!(
                    str_at(
                        secret.unwrap(),
                        &["metadata", "annotations", "helm.sh/resource-policy"]
                    ),
                    Some("keep"),
                    "{label}: the generated secrets outlive an uninstall, like the volume"
                );
                assert!(
                    at(
                        backend,
                        &[
                            "spec",
                            "template",
                            "metadata",
                            "annotations",
                            "checksum/secret"
                        ]
                    )
                    .is_some(),
                    "{label}: a secret change rolls the pods"
                );
                assert_eq!(count("HorizontalPodAutoscaler"), 0, "{label}");
                assert_eq!(count("NetworkPolicy"), 0, "{label}");
                assert_eq!(count("PodDisruptionBudget"), 2, "{label}");
                for optional in ["Job", "CronJob", "HTTPRoute", "ServiceMonitor"] {
                    assert_eq!(count(optional), 0, "{label}: no {optional} by default");
                }
                assert!(
                    render
                        .find(
                            "ConfigMap",
                            &format!("{}-init", render.full_name("postgresql"))
                        )
                        .is_some(),
                    "{label}: the init script that makes the app's role"
                );
                assert_eq!(count("ServiceAccount"), 1, "{label}");
                let ingress = render.of_kind("Ingress").next().expect("an Ingress");
                assert_eq!(
                    str_at(ingress, &["spec", "ingressClassName"]),
                    Some("nginx")
                );
                assert_eq!(
                    str_at(&list_at(ingress, &["spec", "rules"])[0], &["host"]),
                    Some("todo.local")
                );
                assert!(
                    at(ingress, &["spec", "tls"]).is_none(),
                    "{label}: no TLS by default"
                );
                let pod = render.of_kind("Pod").next().expect("the helm test pod");
                assert_eq!(
                    str_at(pod, &["metadata", "annotations", "helm.sh/hook"]),
                    Some("test")
                );
                let pre_stop = at(
                    &list_at(backend_pod, &["containers"])[0],
                    &["lifecycle", "preStop", "sleep"],
                );
                if render.kubernetes == OLDEST_KUBERNETES {
                    assert!(
                        pre_stop.is_none(),
                        "{label}: no sleep action before Kubernetes 1.30"
                    );
                } else {
                    assert!(
                        pre_stop.is_some(),
                        "{label}: a preStop pause on Kubernetes 1.30+"
                    );
                }
            }
            "external-db-url" => {
                assert_eq!(count("StatefulSet"), 0, "{label}: no in-cluster PostgreSQL");
                let data = secret_data(secret.expect("the chart's Secret"));
                let url = &data["database-url"];
                assert!(
                    url.contains("-pooler.") && url.ends_with("sslmode=verify-full"),
                    "{label}: {url}"
                );
                let direct = &data["database-migration-url"];
                assert!(!direct.contains("-pooler."), "{label}: {direct}");
                let container = &list_at(backend_pod, &["containers"])[0];
                assert!(
                    list_at(container, &["env"])
                        .iter()
                        .any(|e| str_at(e, &["name"]) == Some("DATABASE_MIGRATION_URL")),
                    "{label}: the backend gets DATABASE_MIGRATION_URL"
                );
            }
            "existing-secret" => {
                assert!(
                    render.of_kind("Secret").next().is_none(),
                    "{label}: the operator's Secret only"
                );
                assert_eq!(count("StatefulSet"), 0, "{label}");
            }
            "ingress-tls" => {
                let ingress = render.of_kind("Ingress").next().expect("an Ingress");
                let tls = list_at(ingress, &["spec", "tls"]);
                assert_eq!(tls.len(), 1, "{label}");
                assert_eq!(
                    str_at(&tls[0], &["secretName"]),
                    Some("todo-example-com-tls")
                );
                assert_eq!(list_at(&tls[0], &["hosts"]).len(), 2, "{label}");
                assert_eq!(list_at(ingress, &["spec", "rules"]).len(), 2, "{label}");
            }
            "hpa-networkpolicy" => {
                assert_eq!(count("HorizontalPodAutoscaler"), 2, "{label}");
                assert_eq!(count("NetworkPolicy"), 3, "{label}");
                assert_eq!(
                    external_egress(render),
                    None,
                    "{label}: allowExternalEgress=false: DNS and PostgreSQL only"
                );
                assert!(
                    at(backend, &["spec", "replicas"]).is_none(),
                    "{label}: the HPA owns replicas"
                );
                let hpa = render
                    .find("HorizontalPodAutoscaler", &render.full_name("backend"))
                    .unwrap();
                assert_eq!(
                    list_at(hpa, &["spec", "metrics"]).len(),
                    2,
                    "{label}: CPU and memory"
                );
            }
            "replicas" => {
                assert_eq!(
                    at(backend, &["spec", "replicas"]).and_then(Value::as_u64),
                    Some(3),
                    "{label}"
                );
                let init = list_at(backend_pod, &["initContainers"]);
                assert_eq!(init.len(), 1, "{label}: the migrate init container");
                assert_eq!(list_at(&init[0], &["args"])[0].as_str(), Some("migrate"));
                assert!(
                    at(
                        backend_pod,
                        &[
                            "affinity",
                            "podAntiAffinity",
                            "requiredDuringSchedulingIgnoredDuringExecution"
                        ]
                    )
                    .is_some(),
                    "{label}: hard anti-affinity"
                );
            }
            "production" => {
                assert!(
                    render.find("Secret", RELEASE).is_none(),
                    "{label}: secrets only from the operator's Secret"
                );
                assert_eq!(count("StatefulSet"), 0, "{label}: an external database");
                for (component, replicas, min_available) in [("backend", 3, 2), ("frontend", 2, 1)]
                {
                    let deployment = render
                        .find("Deployment", &render.full_name(component))
                        .unwrap();
                    assert_eq!(
                        at(deployment, &["spec", "replicas"]).and_then(Value::as_u64),
                        Some(replicas),
                        "{label}: {component} replicas"
                    );
                    let spread = list_at(
                        pod_spec(deployment).unwrap(),
                        &["topologySpreadConstraints"],
                    );
                    assert_eq!(
                        spread.first().and_then(|s| str_at(s, &["topologyKey"])),
                        Some("topology.kubernetes.io/zone"),
                        "{label}: {component} spread over zones"
                    );
                    let pdb = render
                        .find("PodDisruptionBudget", &render.full_name(component))
                        .unwrap();
                    assert_eq!(
                        at(pdb, &["spec", "minAvailable"]).and_then(Value::as_u64),
                        Some(min_available),
                        "{label}: {component} PodDisruptionBudget"
                    );
                }
                assert_eq!(count("NetworkPolicy"), 2, "{label}: backend and frontend");
                assert_eq!(
                    external_egress(render),
                    Some(vec![5432, 443]),
                    "{label}: the database's and the model's ports only"
                );
                let ingress = render.of_kind("Ingress").next().expect("an Ingress");
                assert_eq!(list_at(ingress, &["spec", "tls"]).len(), 1, "{label}: TLS");
                assert_eq!(count("ServiceMonitor"), 1, "{label}");
                let job = render.of_kind("Job").next().expect("the migration Job");
                assert_eq!(
                    str_at(job, &["metadata", "annotations", "helm.sh/hook"]),
                    Some("pre-install,pre-upgrade"),
                    "{label}: migrations before any pod changes"
                );
            }
            "gateway-backup" => {
                assert_eq!(count("Ingress"), 0, "{label}: the HTTPRoute instead");
                let route = render.of_kind("HTTPRoute").next().expect("an HTTPRoute");
                assert_eq!(
                    str_at(&list_at(route, &["spec", "parentRefs"])[0], &["name"]),
                    Some("public")
                );
                assert_eq!(count("ServiceMonitor"), 1, "{label}");
                let cronjob = render
                    .of_kind("CronJob")
                    .next()
                    .expect("the backup CronJob");
                assert_eq!(str_at(cronjob, &["spec", "schedule"]), Some("@daily"));
                let claim = render
                    .find(
                        "PersistentVolumeClaim",
                        &format!("{}-backup", render.full_name("postgresql")),
                    )
                    .expect("the backup volume");
                assert_eq!(
                    str_at(
                        claim,
                        &["metadata", "annotations", "helm.sh/resource-policy"]
                    ),
                    Some("keep"),
                    "{label}: the dumps outlive the release"
                );
                let database_policy = render
                    .find("NetworkPolicy", &render.full_name("postgresql"))
                    .unwrap();
                let allowed: Vec<&str> = list_at(
                    &list_at(database_policy, &["spec", "ingress"])[0],
                    &["from"],
                )
                .iter()
                .filter_map(|f| {
                    str_at(
                        f,
                        &["podSelector", "matchLabels", "app.kubernetes.io/component"],
                    )
                })
                .collect();
                assert_eq!(
                    allowed,
                    ["backend", "backup"],
                    "{label}: who reaches PostgreSQL"
                );
                assert_eq!(
                    external_egress(render),
                    Some(vec![11434]),
                    "{label}: the model's port only (the database is in the cluster)"
                );
            }
            _ => {}
        }
    }
}

/// The TCP ports of the backend's egress rule to addresses outside the
/// cluster (`ipBlock`): `None` when it has none, empty when any port.
fn external_egress(render: &Rendered) -> Option<Vec<u64>> {
    let policy = render.find("NetworkPolicy", &render.full_name("backend"))?;
    let rule = list_at(policy, &["spec", "egress"]).iter().find(|rule| {
        list_at(rule, &["to"])
            .iter()
            .any(|to| at(to, &["ipBlock"]).is_some())
    })?;
    Some(
        list_at(rule, &["ports"])
            .iter()
            .map(|p| {
                assert_eq!(str_at(p, &["protocol"]), Some("TCP"));
                at(p, &["port"])
                    .and_then(Value::as_u64)
                    .expect("a numbered port")
            })
            .collect(),
    )
}

// ---------------------------------------------------------------- the contract

fn decode(value: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value)
        .expect("Secret data is base64");
    String::from_utf8(bytes).expect("UTF-8 secret")
}

/// A Secret's keys and decoded values (data and stringData).
fn secret_data(secret: &Value) -> BTreeMap<String, String> {
    let mut data = BTreeMap::new();
    if let Some(map) = at(secret, &["data"]).and_then(Value::as_mapping) {
        for (k, v) in map {
            data.insert(
                k.as_str().unwrap().to_owned(),
                decode(v.as_str().unwrap_or("")),
            );
        }
    }
    if let Some(map) = at(secret, &["stringData"]).and_then(Value::as_mapping) {
        for (k, v) in map {
            data.insert(
                k.as_str().unwrap().to_owned(),
                v.as_str().unwrap_or("").to_owned(),
            );
        }
    }
    data
}

/// Secrets and ConfigMaps by name: the rendered ones and the set's existing ones.
struct Objects {
    secrets: BTreeMap<String, BTreeMap<String, String>>,
    config_maps: BTreeMap<String, BTreeMap<String, String>>,
}

impl Objects {
    fn of(render: &Rendered) -> Self {
        let mut objects = Objects {
            secrets: BTreeMap::new(),
            config_maps: BTreeMap::new(),
        };
        for doc in render.docs.iter().chain(&render.set.existing) {
            let name = str_at(doc, &["metadata", "name"]).unwrap_or("").to_owned();
            match str_at(doc, &["kind"]) {
                Some("Secret") => {
                    objects.secrets.insert(name, secret_data(doc));
                }
                Some("ConfigMap") => {
                    let data = at(doc, &["data"])
                        .and_then(Value::as_mapping)
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| {
                                    (
                                        k.as_str().unwrap().to_owned(),
                                        v.as_str().unwrap_or("").to_owned(),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    objects.config_maps.insert(name, data);
                }
                _ => {}
            }
        }
        objects
    }

    /// A container's environment, resolved: (name, value). Fails on a
    /// reference to a Secret, ConfigMap or key that does not exist (unless
    /// marked optional, then it is left out).
    fn environment(&self, container: &Value, label: &str) -> BTreeMap<String, String> {
        let mut env = BTreeMap::new();
        let lookup = |store: &BTreeMap<String, BTreeMap<String, String>>,
                      what: &str,
                      reference: &Value|
         -> Option<String> {
            let name = str_at(reference, &["name"]).expect("a reference name");
            let key = str_at(reference, &["key"]).expect("a reference key");
            let optional = at(reference, &["optional"]).and_then(Value::as_bool) == Some(true);
            let value = store.get(name).and_then(|data| data.get(key)).cloned();
            assert!(
                value.is_some() || optional,
                "{label}: {what} {name} has no key {key} (it has {:?})",
                store.get(name).map(|d| d.keys().collect::<Vec<_>>())
            );
            value
        };
        for source in list_at(container, &["envFrom"]) {
            let (store, what, reference) = if let Some(r) = at(source, &["configMapRef"]) {
                (&self.config_maps, "ConfigMap", r)
            } else if let Some(r) = at(source, &["secretRef"]) {
                (&self.secrets, "Secret", r)
            } else {
                panic!("{label}: unknown envFrom source {source:?}")
            };
            let name = str_at(reference, &["name"]).unwrap();
            let data = store
                .get(name)
                .unwrap_or_else(|| panic!("{label}: envFrom names the missing {what} {name}"));
            env.extend(data.clone());
        }
        for var in list_at(container, &["env"]) {
            let name = str_at(var, &["name"]).expect("an env name").to_owned();
            let value = if let Some(value) = at(var, &["value"]) {
                Some(value.as_str().expect("env values are strings").to_owned())
            } else if let Some(r) = at(var, &["valueFrom", "secretKeyRef"]) {
                lookup(&self.secrets, "Secret", r)
            } else if let Some(r) = at(var, &["valueFrom", "configMapKeyRef"]) {
                lookup(&self.config_maps, "ConfigMap", r)
            } else {
                panic!("{label}: env {name} has a source the test does not know: {var:?}")
            };
            if let Some(value) = value {
                env.insert(name, value);
            }
        }
        env
    }
}

/// The variables a subcommand reads, from its `--help` (`[env: NAME=…]`),
/// and the default of a flag.
struct Help(String);

impl Help {
    fn of(subcommand: &str) -> Self {
        Help(succeed(
            Command::new(env!("CARGO_BIN_EXE_todo")).args([subcommand, "--help"]),
        ))
    }

    fn env_names(&self) -> BTreeSet<String> {
        self.0
            .split("[env: ")
            .skip(1)
            .map(|rest| rest.split(['=', ']']).next().unwrap().to_owned())
            .collect()
    }

    fn default_of(&self, flag: &str) -> String {
        let after = self
            .0
            .split(&format!("{flag} <"))
            .nth(1)
            .unwrap_or_else(|| panic!("no {flag} in the help"));
        let section = after.split("\n      --").next().unwrap();
        section
            .split("[default: ")
            .nth(1)
            .and_then(|r| r.split(']').next())
            .unwrap_or_else(|| panic!("no default for {flag}"))
            .to_owned()
    }
}

/// Variables the server reads outside its flags: `RUST_LOG`, through
/// tracing's `EnvFilter::try_from_default_env`.
fn variables_read_outside_flags() -> BTreeSet<String> {
    let telemetry = std::fs::read_to_string(root().join("crates/server/src/telemetry.rs")).unwrap();
    assert!(
        telemetry.contains("EnvFilter::try_from_default_env"),
        "telemetry.rs no longer reads RUST_LOG through EnvFilter::try_from_default_env"
    );
    BTreeSet::from(["RUST_LOG".to_owned()])
}

/// GET over HTTP/1.1; the status, 0 when nothing answered.
fn get(port: u16, path: &str) -> u16 {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return 0;
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return 0;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The `todo` binary with exactly this environment.
fn todo_with(args: &[String], env: &BTreeMap<String, String>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_todo"));
    command.env_clear().args(args).envs(env);
    command
}

fn string_list(value: &Value, path: &[&str]) -> Vec<String> {
    list_at(value, path)
        .iter()
        .map(|v| v.as_str().expect("strings").to_owned())
        .collect()
}

/// (host, port, user, password if any, database) of a postgres:// URL.
fn connection(url: &str) -> (String, String, String, Option<String>, String) {
    let rest = url.split_once("://").expect("a URL").1;
    let (credentials, rest) = rest.split_once('@').expect("credentials in the URL");
    let (user, password) = match credentials.split_once(':') {
        Some((user, password)) => (user, Some(password.to_owned())),
        None => (credentials, None),
    };
    let (address, database) = rest.split_once('/').expect("a database in the URL");
    let (host, port) = address.split_once(':').unwrap_or((address, "5432"));
    let database = database.split('?').next().unwrap();
    (
        host.into(),
        port.into(),
        user.into(),
        password,
        database.into(),
    )
}

/// Runs the PostgreSQL StatefulSet's /docker-entrypoint-initdb.d scripts
/// (from their ConfigMap, with the container's environment) against a fresh
/// test database, as the image's superuser, like the image's entrypoint on a
/// fresh volume; the URL of that database as the role they made, checked to
/// be no superuser.
fn app_role_database(
    render: &Rendered,
    postgres: &Value,
    objects: &Objects,
    label: &str,
) -> String {
    static ROLES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let pod = pod_spec(postgres).unwrap();
    let container = &list_at(pod, &["containers"])[0];
    let mount = list_at(container, &["volumeMounts"])
        .iter()
        .find(|m| str_at(m, &["mountPath"]) == Some("/docker-entrypoint-initdb.d"))
        .unwrap_or_else(|| {
            panic!("{label}: no /docker-entrypoint-initdb.d: the app would be the superuser")
        });
    let volume = list_at(pod, &["volumes"])
        .iter()
        .find(|v| str_at(v, &["name"]) == str_at(mount, &["name"]))
        .unwrap();
    let config_map = str_at(volume, &["configMap", "name"]).expect("the init scripts' ConfigMap");
    assert_eq!(
        at(volume, &["configMap", "defaultMode"]).and_then(Value::as_u64),
        Some(0o555),
        "{label}: executable scripts (the image sources the others into its own shell)"
    );
    let scripts = &objects.config_maps[config_map];
    assert!(!scripts.is_empty(), "{label}: no init scripts");

    let admin_url = todo_testkit::fresh_postgres_database();
    let (host, port, admin, admin_password, database) = connection(&admin_url);
    let mut env = objects.environment(container, label);
    let role = format!(
        "{}_{}_{}",
        env["APP_DB_USER"],
        std::process::id(),
        ROLES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let password = env["APP_DB_PASSWORD"].clone();
    env.insert("APP_DB_USER".into(), role.clone());
    env.insert("POSTGRES_USER".into(), admin);
    env.insert("POSTGRES_DB".into(), database.clone());
    env.insert("PGHOST".into(), host.clone());
    env.insert("PGPORT".into(), port.clone());
    env.insert("PATH".into(), std::env::var("PATH").unwrap_or_default());
    env.remove("POSTGRES_PASSWORD");
    if let Some(admin_password) = admin_password {
        env.insert("PGPASSWORD".into(), admin_password);
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in scripts {
        assert!(
            name.ends_with(".sh") || name.ends_with(".sql"),
            "{label}: {name}"
        );
        let file = dir.path().join(name);
        std::fs::write(&file, body).unwrap();
        let mut command = if name.ends_with(".sh") {
            let mut c = Command::new("sh");
            c.arg(&file);
            c
        } else {
            let mut c = Command::new("psql");
            c.args(["-v", "ON_ERROR_STOP=1", "-f"]).arg(&file);
            c
        };
        succeed(command.env_clear().envs(&env));
    }
    let url = format!("postgres://{role}:{password}@{host}:{port}/{database}");
    let postgres = todo_testkit::postgres();
    let answer = postgres
        .psql_on(
            &url,
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user",
        )
        .unwrap_or_else(|e| panic!("{label}: connecting as the app's role: {e:#}"));
    assert_eq!(answer, "f|f|f", "{label}: the app's role is no superuser");
    eprintln!(
        "contract: {}: the init script made role {role}, not a superuser",
        render.label()
    );
    url
}

/// The cluster test's stand-in for the postgres image
/// (`infra/cluster/postgres-entrypoint.sh`) runs the chart's init script the
/// way the official image does: on an empty volume, as the superuser, with
/// the container's environment; afterwards the app's role logs in over TCP
/// with its password and is no superuser. Run for real as the `postgres`
/// user, its socket folder bind-mounted in a private mount namespace (root).
#[test]
fn the_cluster_postgres_stand_in_runs_the_charts_init_script() {
    let Some(render) = rendered().and_then(|r| r.iter().find(|r| r.set.name == "default")) else {
        return;
    };
    let root_user = unsafe { libc::geteuid() } == 0;
    let bin = PathBuf::from("/usr/lib/postgresql/15/bin");
    if !root_user
        || !bin.join("initdb").exists()
        || output(Command::new("unshare").arg("--help"))
            .status
            .code()
            .is_none()
    {
        todo_testkit::cannot_run(
            "the stand-in's entrypoint runs as the postgres user in a private mount namespace: needs root, unshare and PostgreSQL 15's binaries",
        );
        return;
    }
    let objects = Objects::of(render);
    let label = render.label();
    let postgres = render
        .find("StatefulSet", &render.full_name("postgresql"))
        .unwrap();
    let container = &list_at(pod_spec(postgres).unwrap(), &["containers"])[0];
    let env = objects.environment(container, &label);
    let scripts = &objects.config_maps[&format!("{}-init", render.full_name("postgresql"))];

    let dir = tempfile::tempdir().unwrap();
    let (init, run, data) = (
        dir.path().join("init"),
        dir.path().join("run"),
        dir.path().join("data"),
    );
    for folder in [&init, &run, &data] {
        std::fs::create_dir_all(folder).unwrap();
    }
    use std::os::unix::fs::PermissionsExt;
    for (name, body) in scripts {
        let file = init.join(name);
        std::fs::write(&file, body).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    succeed(Command::new("chown").arg("postgres:").arg(&run).arg(&data));
    let port = todo_testkit::free_port().unwrap();
    let pgdata = data.join("pgdata");
    let log = std::fs::File::create(dir.path().join("log")).unwrap();
    let mut command = Command::new("unshare");
    command
        .args(["--mount", "--propagation", "private", "sh", "-c"])
        .arg(r#"mount --bind "$1" /var/run/postgresql && shift && exec runuser -u postgres -- env "$@""#)
        .arg("sh")
        .arg(&run);
    // The container's environment, then the places of this test (its PGDATA
    // is the pod's volume, not this machine's /var/lib/postgresql).
    for (name, value) in &env {
        command.arg(format!("{name}={value}"));
    }
    command
        .arg(format!("PATH={}:/usr/bin:/bin", bin.display()))
        .arg(format!("PGDATA={}", pgdata.display()))
        .arg(format!("PGPORT={port}"))
        .arg(format!("TODO_INITDB_DIR={}", init.display()));
    let mut child = command
        .arg("sh")
        .arg(root().join("infra/cluster/postgres-entrypoint.sh"))
        .arg("postgres")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let url = format!(
        "postgres://{}:{}@127.0.0.1:{port}/{}",
        env["APP_DB_USER"], env["APP_DB_PASSWORD"], env["POSTGRES_DB"]
    );
    let check =
        "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user";
    let started = Instant::now();
    let answer = loop {
        if let Ok(answer) = todo_testkit::postgres().psql_on(&url, check) {
            break Ok(answer);
        }
        if started.elapsed() > Duration::from_secs(90) || child.try_wait().unwrap().is_some() {
            break Err(std::fs::read_to_string(dir.path().join("log")).unwrap());
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let logs = std::fs::read_to_string(dir.path().join("log")).unwrap();
    // Stop the server by its own pid (postmaster.pid's first line): fast shutdown.
    let pid = std::fs::read_to_string(pgdata.join("postmaster.pid"))
        .ok()
        .and_then(|p| p.lines().next().and_then(|l| l.trim().parse::<i32>().ok()));
    if let Some(pid) = pid {
        unsafe { libc::kill(pid, libc::SIGINT) };
    }
    let stopping = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(
            pid.is_some() && stopping.elapsed() < Duration::from_secs(30),
            "the stand-in's server did not stop (pid {pid:?} from {}):\n{logs}",
            pgdata.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let answer = answer.unwrap_or_else(|logs| panic!("the app's role could not log in:\n{logs}"));
    assert_eq!(answer, "f|f|f", "{label}: the app's role is no superuser");
    assert!(
        logs.contains("10-app-role.sh") && logs.contains("PostgreSQL init process complete"),
        "the entrypoint did not run the chart's script:\n{logs}"
    );
}

/// Runs the backup CronJob's script (its /backups on a temporary folder)
/// against the database; the dump must list the tasks table.
fn run_backup(container: &Value, objects: &Objects, database_url: &str, label: &str) {
    let command = string_list(container, &["command"]);
    assert_eq!(command[..2], ["/bin/sh", "-ec"], "{label}");
    let backups = tempfile::tempdir().unwrap();
    let script = command[2].replace("/backups", &backups.path().display().to_string());
    let (host, port, user, password, database) = connection(database_url);
    let mut env = objects.environment(container, label);
    for (name, value) in [
        ("PGHOST", host),
        ("PGPORT", port),
        ("PGUSER", user),
        ("PGDATABASE", database),
    ] {
        assert!(env.contains_key(name), "{label}: the backup sets {name}");
        env.insert(name.into(), value);
    }
    env.insert("PGPASSWORD".into(), password.unwrap_or_default());
    env.insert("PATH".into(), std::env::var("PATH").unwrap_or_default());
    let keep: usize = env["KEEP"].parse().unwrap();
    for _ in 0..keep + 1 {
        succeed(
            Command::new("sh")
                .args(["-ec", &script])
                .env_clear()
                .envs(&env),
        );
        std::thread::sleep(Duration::from_millis(1100));
    }
    let dumps: Vec<PathBuf> = files_in(backups.path());
    assert_eq!(
        dumps.len(),
        keep,
        "{label}: the newest {keep} dumps stay: {dumps:?}"
    );
    let listing = succeed(Command::new("pg_restore").arg("--list").arg(&dumps[0]));
    assert!(
        listing.contains("TABLE public tasks"),
        "{label}: the dump lacks the tasks table:\n{listing}"
    );
    eprintln!(
        "contract: {label}: {} backups ran; the newest {keep} dumps stay and list the tasks table",
        keep + 1
    );
}

/// Compose has no ingress: the bundled nginx sets `X-Real-IP` to its peer
/// (overwriting what a client sent), and the backend, reachable only
/// through it, reads the client's address there.
#[test]
fn compose_reads_the_client_address_nginx_sets() {
    let compose: Value =
        serde_norway::from_str(&std::fs::read_to_string(root().join("compose.yaml")).unwrap())
            .unwrap();
    let header = str_at(
        &compose,
        &[
            "services",
            "backend",
            "environment",
            "CLIENT_ADDRESS_HEADER",
        ],
    )
    .expect("compose.yaml sets CLIENT_ADDRESS_HEADER for the backend");
    assert!(
        at(&compose, &["services", "backend", "ports"]).is_none(),
        "the backend must be reachable only through nginx, or clients could set {header}"
    );
    let nginx = std::fs::read_to_string(root().join("infra/nginx/nginx.conf.template")).unwrap();
    assert!(
        nginx.contains(&format!("proxy_set_header {header} $remote_addr;")),
        "nginx does not set {header} to its peer's address"
    );
}

/// (user, password, host, port, database) of a postgres:// URL.
fn url_parts(url: &str) -> (String, String, String, u16, String) {
    let rest = url.split_once("://").expect("a URL").1;
    let (credentials, rest) = rest.split_once('@').expect("credentials in the URL");
    let (user, password) = credentials.split_once(':').expect("user:password");
    let (address, database) = rest.split_once('/').expect("a database in the URL");
    let (host, port) = address.split_once(':').unwrap_or((address, "5432"));
    (
        user.into(),
        password.into(),
        host.into(),
        port.parse().unwrap(),
        database.split('?').next().unwrap().into(),
    )
}

#[test]
fn the_chart_matches_the_program() {
    let Some(rendered) = rendered() else {
        return;
    };
    let serve = Help::of("serve");
    let migrate = Help::of("migrate");
    let outside = variables_read_outside_flags();
    let serve_reads: BTreeSet<String> = serve.env_names().union(&outside).cloned().collect();
    let migrate_reads: BTreeSet<String> = migrate.env_names().union(&outside).cloned().collect();
    assert!(serve_reads.contains("DATABASE_URL") && serve_reads.contains("JWT_SECRET"));
    let default_port: u16 = serve.default_of("--port").parse().unwrap();

    // One Helm is enough here (the renders are the same but for random
    // secrets); the newest Kubernetes.
    let newest = rendered.iter().map(|r| &r.kubernetes).max().unwrap();
    let first_helm = rendered[0].helm;
    let mut started = 0;
    for render in rendered
        .iter()
        .filter(|r| &r.kubernetes == newest && r.helm == first_helm)
    {
        let label = render.label();
        let objects = Objects::of(render);

        // Every reference in every pod resolves.
        for doc in &render.docs {
            if let Some(pod) = pod_spec(doc) {
                for (container, _) in containers(pod) {
                    objects.environment(container, &label);
                }
                for volume in list_at(pod, &["volumes"]) {
                    if let Some(name) = str_at(volume, &["secret", "secretName"]) {
                        assert!(
                            objects.secrets.contains_key(name),
                            "{label}: volume Secret {name}"
                        );
                    }
                    if let Some(name) = str_at(volume, &["configMap", "name"]) {
                        assert!(
                            objects.config_maps.contains_key(name),
                            "{label}: volume ConfigMap {name}"
                        );
                    }
                }
            }
        }

        let backend_name = render.full_name("backend");
        let frontend_name = render.full_name("frontend");
        let backend = render.find("Deployment", &backend_name).unwrap();
        let pod = pod_spec(backend).unwrap();
        let container = list_at(pod, &["containers"])
            .iter()
            .find(|c| str_at(c, &["name"]) == Some("backend"))
            .expect("the backend container");
        let env = objects.environment(container, &label);

        // Names: every one the chart sets is read; the required ones are set.
        for name in env.keys() {
            assert!(
                serve_reads.contains(name),
                "{label}: the chart sets {name}, which `todo serve` does not read (it reads {serve_reads:?})"
            );
        }
        let database_url = env
            .get("DATABASE_URL")
            .unwrap_or_else(|| panic!("{label}: DATABASE_URL is not set"));
        assert!(
            database_url.starts_with("postgres://") || database_url.starts_with("postgresql://"),
            "{label}: the cluster runs PostgreSQL, not {database_url}"
        );
        let jwt = env
            .get("JWT_SECRET")
            .unwrap_or_else(|| panic!("{label}: JWT_SECRET is required with PostgreSQL"));
        assert!(
            jwt.len() >= 32,
            "{label}: JWT_SECRET is {} bytes",
            jwt.len()
        );

        // Ports: the container port is the port the server listens on.
        let ports = list_at(container, &["ports"]);
        let http_port = ports
            .iter()
            .find(|p| str_at(p, &["name"]) == Some("http"))
            .and_then(|p| at(p, &["containerPort"]))
            .and_then(Value::as_u64)
            .expect("a port named http") as u16;
        let listens_on: u16 = env
            .get("PORT")
            .map(|p| p.parse().expect("PORT is a number"))
            .unwrap_or(default_port);
        assert_eq!(
            http_port, listens_on,
            "{label}: containerPort vs the server's PORT"
        );

        // MCP answers on every ingress and HTTPRoute host.
        let allowed: Vec<&str> = env
            .get("MCP_ALLOWED_HOSTS")
            .map(|h| h.split(',').collect())
            .unwrap_or_default();
        for ingress in render.of_kind("Ingress") {
            for rule in list_at(ingress, &["spec", "rules"]) {
                let host = str_at(rule, &["host"]).unwrap();
                assert!(
                    allowed.contains(&host),
                    "{label}: MCP_ALLOWED_HOSTS lacks the ingress host {host}"
                );
            }
        }
        for route in render.of_kind("HTTPRoute") {
            for host in list_at(route, &["spec", "hostnames"]) {
                let host = host.as_str().unwrap();
                assert!(
                    allowed.contains(&host),
                    "{label}: MCP_ALLOWED_HOSTS lacks the HTTPRoute host {host}"
                );
            }
        }

        // Behind an ingress controller or a gateway every request comes from
        // the proxy: the sign-in limit per address must read the client's
        // address from the header they all append it to (the server takes
        // its last entry).
        if render
            .of_kind("Ingress")
            .chain(render.of_kind("HTTPRoute"))
            .next()
            .is_some()
        {
            assert_eq!(
                env.get("CLIENT_ADDRESS_HEADER").map(String::as_str),
                Some("X-Forwarded-For"),
                "{label}: per-address limits behind the ingress"
            );
        }

        // Services and the ingress point at ports that exist.
        let service_port = |name: &str| -> u64 {
            let service = render
                .find("Service", name)
                .unwrap_or_else(|| panic!("{label}: no Service {name}"));
            let port = &list_at(service, &["spec", "ports"])[0];
            assert_eq!(
                str_at(port, &["targetPort"]),
                Some("http"),
                "{label}: {name} targets the http port"
            );
            at(port, &["port"]).and_then(Value::as_u64).unwrap()
        };
        let backend_service_port = service_port(&backend_name);
        let frontend_service_port = service_port(&frontend_name);
        for route in render.of_kind("HTTPRoute") {
            let routes: BTreeMap<&str, (&str, u64)> = list_at(route, &["spec", "rules"])
                .iter()
                .map(|rule| {
                    let path = at(&list_at(rule, &["matches"])[0], &["path"]).unwrap();
                    assert_eq!(str_at(path, &["type"]), Some("PathPrefix"), "{label}");
                    let target = &list_at(rule, &["backendRefs"])[0];
                    (
                        str_at(path, &["value"]).unwrap(),
                        (
                            str_at(target, &["name"]).unwrap(),
                            at(target, &["port"]).and_then(Value::as_u64).unwrap(),
                        ),
                    )
                })
                .collect();
            let backend_route = (backend_name.as_str(), backend_service_port);
            assert_eq!(
                routes.get("/api"),
                Some(&backend_route),
                "{label}: HTTPRoute /api"
            );
            assert_eq!(
                routes.get("/mcp"),
                Some(&backend_route),
                "{label}: HTTPRoute /mcp"
            );
            assert_eq!(
                routes.get("/"),
                Some(&(frontend_name.as_str(), frontend_service_port)),
                "{label}: HTTPRoute /"
            );
        }
        for monitor in render.of_kind("ServiceMonitor") {
            let service = render.find("Service", &backend_name).unwrap();
            for (key, value) in at(monitor, &["spec", "selector", "matchLabels"])
                .and_then(Value::as_mapping)
                .expect("a label selector")
            {
                assert_eq!(
                    at(service, &["metadata", "labels", key.as_str().unwrap()]),
                    Some(value),
                    "{label}: the ServiceMonitor selects the backend Service"
                );
            }
            let endpoint = &list_at(monitor, &["spec", "endpoints"])[0];
            assert_eq!(str_at(endpoint, &["port"]), Some("http"), "{label}");
            assert_eq!(str_at(endpoint, &["path"]), Some("/metrics"), "{label}");
        }
        for ingress in render.of_kind("Ingress") {
            for rule in list_at(ingress, &["spec", "rules"]) {
                let routes: BTreeMap<&str, &str> = list_at(rule, &["http", "paths"])
                    .iter()
                    .map(|p| {
                        let service = str_at(p, &["backend", "service", "name"]).unwrap();
                        assert_eq!(
                            str_at(p, &["backend", "service", "port", "name"]),
                            Some("http"),
                            "{label}"
                        );
                        (str_at(p, &["path"]).unwrap(), service)
                    })
                    .collect();
                assert_eq!(
                    routes.get("/"),
                    Some(&frontend_name.as_str()),
                    "{label}: / to the frontend"
                );
                assert_eq!(
                    routes.get("/api"),
                    Some(&backend_name.as_str()),
                    "{label}: /api to the backend"
                );
                assert_eq!(
                    routes.get("/mcp"),
                    Some(&backend_name.as_str()),
                    "{label}: /mcp to the backend"
                );
            }
        }
        let frontend = render.find("Deployment", &frontend_name).unwrap();
        let frontend_env = objects.environment(
            &list_at(pod_spec(frontend).unwrap(), &["containers"])[0],
            &label,
        );
        assert_eq!(
            frontend_env.get("BACKEND_URL"),
            Some(&format!("http://{backend_name}:{backend_service_port}")),
            "{label}: the frontend proxies to the backend Service"
        );

        // The in-cluster PostgreSQL and the URL agree.
        if let Some(postgres) = render.find("StatefulSet", &render.full_name("postgresql")) {
            let postgres_env = objects.environment(
                &list_at(pod_spec(postgres).unwrap(), &["containers"])[0],
                &label,
            );
            let (user, password, host, port, database) = url_parts(database_url);
            // The app connects as the role the init script makes, not as the
            // image's superuser.
            assert_eq!(Some(&user), postgres_env.get("APP_DB_USER"), "{label}");
            assert_eq!(
                Some(&password),
                postgres_env.get("APP_DB_PASSWORD"),
                "{label}"
            );
            assert_ne!(Some(&user), postgres_env.get("POSTGRES_USER"), "{label}");
            let admin_password = postgres_env
                .get("POSTGRES_PASSWORD")
                .unwrap_or_else(|| panic!("{label}: the superuser's password"));
            assert!(
                admin_password != &password && admin_password.len() >= 32,
                "{label}: the superuser has a password of its own"
            );
            assert_eq!(Some(&database), postgres_env.get("POSTGRES_DB"), "{label}");
            let service = render.full_name("postgresql");
            assert_eq!(
                host,
                format!("{service}.{NAMESPACE}.svc.cluster.local"),
                "{label}"
            );
            assert_eq!(port as u64, {
                let s = render.find("Service", &service).unwrap();
                at(&list_at(s, &["spec", "ports"])[0], &["port"])
                    .and_then(Value::as_u64)
                    .unwrap()
            });
        }

        // With the in-cluster PostgreSQL, the chart's init script makes the
        // app's role on a real server as the image would on a fresh volume,
        // and everything below runs as that role (migrations included).
        let real_database = match render.find("StatefulSet", &render.full_name("postgresql")) {
            Some(postgres) => app_role_database(render, postgres, &objects, &label),
            None => todo_testkit::fresh_postgres_database(),
        };
        // `todo migrate` in a rendered container, with what it is given (only
        // variables the program reads) and the real database in place of the URLs.
        let migrate_as_rendered = |container: &Value, what: &str, data_dir: Option<&Path>| {
            let mut env = objects.environment(container, &label);
            for name in env.keys() {
                assert!(
                    migrate_reads.contains(name) || serve_reads.contains(name),
                    "{label}: {what} sets {name}"
                );
            }
            env.insert("DATABASE_URL".into(), real_database.clone());
            if env.contains_key("DATABASE_MIGRATION_URL") {
                env.insert("DATABASE_MIGRATION_URL".into(), real_database.clone());
            }
            if let Some(dir) = data_dir {
                env.insert("DATA_DIR".into(), dir.display().to_string());
            }
            succeed(&mut todo_with(&string_list(container, &["args"]), &env));
        };
        // The migration Job (a hook) runs `todo migrate` with what it is given.
        for job in render.of_kind("Job") {
            assert_eq!(
                str_at(job, &["metadata", "annotations", "helm.sh/hook"]),
                Some("pre-install,pre-upgrade"),
                "{label}"
            );
            let job_pod = pod_spec(job).unwrap();
            assert!(
                str_at(job_pod, &["serviceAccountName"]).is_none(),
                "{label}: the chart's ServiceAccount does not exist before the release"
            );
            for (container, _) in containers(job_pod) {
                migrate_as_rendered(container, "the Job", None);
            }
        }
        // The init container, if any, runs `todo migrate` with what it is given.
        for init in list_at(pod, &["initContainers"]) {
            let data = tempfile::tempdir().unwrap();
            migrate_as_rendered(init, "init", Some(data.path()));
        }

        // The real server, with the chart's environment (a reachable database
        // and a free port instead), answers every probe the chart renders.
        let port = todo_testkit::free_port().expect("a free port");
        let data = tempfile::tempdir().unwrap();
        let mut run_env = env.clone();
        run_env.insert("DATABASE_URL".into(), real_database.clone());
        if run_env.contains_key("DATABASE_MIGRATION_URL") {
            run_env.insert("DATABASE_MIGRATION_URL".into(), real_database.clone());
        }
        run_env.insert("PORT".into(), port.to_string());
        run_env.insert("HOST".into(), "127.0.0.1".into());
        run_env.insert("DATA_DIR".into(), data.path().display().to_string());
        let args = string_list(container, &["args"]);
        let mut child = todo_with(&args, &run_env)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("todo starts");
        let begun = Instant::now();
        while get(port, "/healthz") == 0 {
            if let Some(status) = child.try_wait().unwrap() {
                let mut logs = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut logs)
                    .unwrap();
                panic!(
                    "{label}: `todo {}` with the chart's environment exited ({status}):\n{logs}",
                    args.join(" ")
                );
            }
            assert!(
                begun.elapsed() < Duration::from_secs(60),
                "{label}: the server did not listen in time"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut probed = Vec::new();
        for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
            let Some(http) = at(container, &[probe, "httpGet"]) else {
                panic!("{label}: the backend's {probe} is not an httpGet")
            };
            let path = str_at(http, &["path"]).unwrap();
            let named = str_at(http, &["port"]);
            assert!(
                named == Some("http")
                    || at(http, &["port"]).and_then(Value::as_u64) == Some(http_port as u64),
                "{label}: {probe} asks another port: {http:?}"
            );
            let status = get(port, path);
            assert_eq!(status, 200, "{label}: {probe} GET {path} answered {status}");
            probed.push(path.to_owned());
        }
        // The backup CronJob's script dumps the database the server migrated.
        for cronjob in render.of_kind("CronJob") {
            let container = &list_at(pod_spec(cronjob).unwrap(), &["containers"])[0];
            run_backup(container, &objects, &real_database, &label);
        }
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let status = child.wait().unwrap();
        assert!(
            status.success(),
            "{label}: the server stopped with {status} on SIGTERM"
        );
        started += 1;
        eprintln!(
            "contract: {label}: `todo {}` listened on PORT and answered {probed:?}",
            args.join(" ")
        );
    }
    assert!(started >= 6, "the contract ran on {started} sets");
}

// ---------------------------------------------------------------- invalid values

#[test]
fn the_schema_refuses_invalid_values() {
    let helms = helms();
    if helms.is_empty() {
        return;
    }
    let files = yaml_files(&fixtures().join("invalid"));
    assert!(files.len() >= 5, "a few invalid values files");
    for file in &files {
        let content = std::fs::read_to_string(file).unwrap();
        let expect = content
            .lines()
            .find_map(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} has no `# expect:` line", file.display()))
            .trim();
        let chart_check = content.contains("# chart-check:");
        for helm in &helms {
            for verb in ["lint", "template"] {
                let mut command = Command::new(&helm.path);
                command.arg(verb);
                if verb == "lint" {
                    command.arg("--strict");
                } else {
                    command.arg(RELEASE);
                }
                command.arg(chart()).arg("--values").arg(file);
                let out = output(&mut command);
                let said = text(&out);
                // `helm lint` (3 and 4) logs a template's `fail` at INFO
                // level and passes (charts with required values would not
                // lint otherwise); `helm template` refuses.
                if chart_check && verb == "lint" {
                    assert!(
                        said.to_lowercase().contains("fail") && said.contains(expect),
                        "{} lint did not report {}:\n{said}",
                        helm.name,
                        file.display()
                    );
                    continue;
                }
                assert!(
                    !out.status.success(),
                    "{} {verb} accepted {}:\n{said}",
                    helm.name,
                    file.display()
                );
                assert!(
                    said.contains(expect),
                    "{} {verb} refused {} without naming `{expect}`:\n{said}",
                    helm.name,
                    file.display()
                );
            }
        }
    }
}

// ---------------------------------------------------------------- values documented

/// The leaf paths of the values (a non-empty map is walked; anything else is a leaf).
fn leaves(value: &Value, prefix: &str, out: &mut Vec<String>) {
    match value.as_mapping() {
        Some(map) if !map.is_empty() => {
            for (k, v) in map {
                let key = k.as_str().unwrap();
                let path = if prefix.is_empty() {
                    key.to_owned()
                } else {
                    format!("{prefix}.{key}")
                };
                leaves(v, &path, out);
            }
        }
        _ => out.push(prefix.to_owned()),
    }
}

#[test]
fn every_value_is_documented_in_values_schema_and_readme() {
    let values_text = std::fs::read_to_string(chart().join("values.yaml")).unwrap();
    let values: Value = serde_norway::from_str(&values_text).unwrap();
    let params: Vec<String> = values_text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("## @param "))
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect();
    let mut all = Vec::new();
    leaves(&values, "", &mut all);
    let undocumented: Vec<&String> = all
        .iter()
        .filter(|leaf| {
            !params
                .iter()
                .any(|p| *leaf == p || leaf.starts_with(&format!("{p}.")))
        })
        .collect();
    assert!(
        undocumented.is_empty(),
        "values without a `## @param` comment: {undocumented:?}"
    );
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(chart().join("values.schema.json")).unwrap())
            .unwrap();
    let readme = std::fs::read_to_string(chart().join("README.md")).unwrap();
    for param in &params {
        assert!(
            at(&values, &param.split('.').collect::<Vec<_>>()).is_some(),
            "`## @param {param}` documents a value that does not exist"
        );
        let mut node = &schema;
        for key in param.split('.') {
            node = &node["properties"][key];
        }
        assert!(
            node["description"].is_string(),
            "values.schema.json has no description for {param}"
        );
        assert!(
            readme.contains(&format!("| `{param}` ")),
            "the chart README's tables lack {param} (python3 infra/helm/tests/readme-table.py)"
        );
    }
}

// ---------------------------------------------------------------- the frontend image

#[test]
fn the_frontend_image_answers_the_chart_probes() {
    let template = root().join("infra/nginx/nginx.conf.template");
    let entrypoint = root().join("infra/nginx/entrypoint.sh");
    if !template.exists() || !entrypoint.exists() {
        todo_testkit::cannot_run("infra/nginx is not there: the frontend contract cannot run");
        return;
    }
    let values: Value =
        serde_norway::from_str(&std::fs::read_to_string(chart().join("values.yaml")).unwrap())
            .unwrap();
    let health = str_at(&values, &["frontend", "healthPath"]).unwrap();
    let port = at(&values, &["frontend", "containerPort"])
        .and_then(Value::as_u64)
        .unwrap();
    let config = std::fs::read_to_string(template).unwrap();
    assert!(
        config.contains(&format!("location = {health} ")),
        "the frontend's nginx has no `location = {health}` for the chart's probes"
    );
    let start = std::fs::read_to_string(entrypoint).unwrap();
    assert!(
        start.contains(&format!("LISTEN_PORT:-{port}")),
        "the frontend image does not listen on {port} by default"
    );
    assert!(
        start.contains("BACKEND_URL"),
        "the frontend image does not read BACKEND_URL"
    );
}

// ---------------------------------------------------------------- scripts

fn scripts() -> Vec<PathBuf> {
    let mut scripts = Vec::new();
    for dir in ["infra/scripts", "scripts"] {
        let dir = root().join(dir);
        if dir.is_dir() {
            scripts.extend(
                files_in(&dir)
                    .into_iter()
                    .filter(|p| p.extension().is_some_and(|e| e == "sh")),
            );
        }
    }
    scripts
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_script_answers_help_and_is_strict() {
    let scripts = scripts();
    for wanted in [
        "infra/scripts/minikube-up.sh",
        "infra/scripts/build-images.sh",
        "infra/scripts/deploy.sh",
        "infra/scripts/verify.sh",
        "infra/scripts/chaos.sh",
        "infra/scripts/teardown.sh",
        "scripts/demo.sh",
    ] {
        assert!(
            scripts.contains(&root().join(wanted)),
            "{wanted} is missing"
        );
    }
    for script in &scripts {
        let body = std::fs::read_to_string(script).unwrap();
        assert!(
            body.starts_with("#!/usr/bin/env bash"),
            "{}: a bash shebang",
            script.display()
        );
        assert!(
            body.contains("set -euo pipefail"),
            "{}: set -euo pipefail",
            script.display()
        );
        // --help answers anywhere, before any prerequisite is checked.
        let out = output(
            Command::new("bash")
                .arg(script)
                .arg("--help")
                .env("PATH", "/usr/bin:/bin")
                .stdin(Stdio::null()),
        );
        let said = text(&out);
        assert!(
            out.status.success(),
            "{} --help failed:\n{said}",
            script.display()
        );
        assert!(
            said.contains("Usage:"),
            "{} --help shows no usage:\n{said}",
            script.display()
        );
    }
}

#[test]
fn every_script_passes_shellcheck() {
    let Some(shellcheck) = tool("TODO_TEST_SHELLCHECK") else {
        return;
    };
    let mut scripts = scripts();
    scripts.extend(
        files_in(&root().join("infra/scripts"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "bash")),
    );
    scripts.push(root().join(".ci/chart-tools.sh"));
    // The source-built cluster that runs the chart for real (infra/cluster).
    scripts.extend(
        files_in(&root().join("infra/cluster"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "sh" || e == "bash")),
    );
    for build in ["kubernetes", "etcd"] {
        scripts.push(
            root()
                .join("infra/cluster/build")
                .join(build)
                .join("pin.sh"),
        );
    }
    succeed(
        Command::new(shellcheck)
            .current_dir(root())
            .args([
                "--external-sources",
                "--source-path=SCRIPTDIR",
                "--severity=style",
            ])
            .args(&scripts),
    );
}

/// Every wait in the scripts ends on its own: `kubectl wait` and `rollout
/// status` carry `--timeout`, curl a `--max-time` (app_curl's), and every
/// `while`/`until` loop that does not read arguments or lines checks a
/// deadline (or says on the line above why it is bounded).
#[test]
fn every_wait_in_the_scripts_has_a_timeout() {
    let mut files = scripts();
    files.push(root().join("infra/scripts/common.bash"));
    let mut unbounded = Vec::new();
    for file in &files {
        let body = std::fs::read_to_string(file).unwrap();
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        // Commands joined across `\` continuations, each with its line number.
        let mut commands: Vec<(usize, String)> = Vec::new();
        let mut previous = "";
        let mut pending: Option<(usize, String)> = None;
        let lines: Vec<&str> = body.lines().collect();
        let mut heredoc = false;
        for (number, line) in lines.iter().copied().enumerate() {
            // Text in a here-document (usage) is no code.
            if heredoc {
                heredoc = line.trim() != "EOF";
                continue;
            }
            heredoc = line.contains("<<EOF") || line.contains("<<'EOF'");
            let (start, mut text) = pending.take().unwrap_or((number + 1, String::new()));
            text.push_str(line.trim_end_matches('\\'));
            if line.ends_with('\\') {
                pending = Some((start, text));
                continue;
            }
            let code = text.trim_start();
            let is_loop = ["while ", "until "].iter().any(|k| code.starts_with(k));
            if is_loop
                && !code.starts_with("while [ $# -gt 0 ]")
                && !code.contains("read ")
                && !lines[number..(number + 3).min(lines.len())]
                    .iter()
                    .any(|l| l.contains("deadline"))
                && !previous.trim_start().starts_with("# bounded:")
            {
                unbounded.push(format!("{name}:{start}: a loop without a deadline: {code}"));
            }
            previous = line;
            commands.push((start, code.to_owned()));
        }
        for (line, code) in &commands {
            if code.starts_with('#') {
                continue;
            }
            let waits = code.contains("kubectl")
                && (code.contains(" wait ") || code.contains(" rollout status "));
            if waits && !code.contains("--timeout") {
                unbounded.push(format!(
                    "{name}:{line}: kubectl waits without --timeout: {code}"
                ));
            }
            let curl = code.split_whitespace().any(|word| word == "curl");
            if curl && !code.contains("--max-time") && !code.starts_with("need ") {
                unbounded.push(format!("{name}:{line}: curl without --max-time: {code}"));
            }
        }
    }
    assert!(
        unbounded.is_empty(),
        "waits that may never end:\n{}",
        unbounded.join("\n")
    );
}

/// The pods' `checksum/secret` annotation hashes what the Secret is made
/// from, not the rendered Secret: generated values differ between renders
/// until the Secret exists, so a hash of the render rolled every pod on the
/// first upgrade after an install (seen on the real cluster).
#[test]
fn the_secret_checksum_ignores_generated_values() {
    let helms = helms();
    let Some(helm) = helms.first() else {
        return;
    };
    let checksums = |extra: &[&str]| -> Vec<String> {
        let yaml = succeed(
            Command::new(&helm.path)
                .arg("template")
                .arg(RELEASE)
                .arg(chart())
                .args(["--namespace", NAMESPACE])
                .args(extra),
        );
        let sums: Vec<String> = documents(&yaml)
            .iter()
            .filter_map(|doc| {
                str_at(
                    doc,
                    &[
                        "spec",
                        "template",
                        "metadata",
                        "annotations",
                        "checksum/secret",
                    ],
                )
                .map(str::to_owned)
            })
            .collect();
        assert_eq!(
            sums.len(),
            2,
            "the backend and PostgreSQL carry the checksum"
        );
        sums
    };
    let first = checksums(&[]);
    assert_eq!(
        first,
        checksums(&[]),
        "two renders with generated secrets must not differ"
    );
    let changed = checksums(&[
        "--set",
        "secret.jwtSecret=a-secret-set-by-the-operator-0123456789",
    ]);
    assert_ne!(first, changed, "a secret the operator sets rolls the pods");
}
