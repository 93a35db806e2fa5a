//! The deployment scripts (`infra/scripts/deploy.sh`, `build-images.sh`)
//! run for real against stubbed `helm`, `kubectl` and `minikube` on PATH: the
//! stubs keep a release's values, the chart's Secret and the volumes in a
//! folder, the way the cluster would, and log every call. No cluster needed;
//! the real cluster runs them in `infra/cluster/test.sh`.
//!
//! - A release's choices stay between runs: `DATABASE_URL=… deploy.sh` then a
//!   plain `deploy.sh` stays on that database; switching either way takes
//!   `--switch-database`, and going back to the in-cluster PostgreSQL reuses
//!   the password its volume was made with (or refuses when it is gone).
//! - Image tags follow the sources, so a rebuild rolls out: `build-images.sh`
//!   tags with the tree's revision (and a hash of uncommitted changes) and
//!   `deploy.sh` deploys the tags built last.
//! - `chaos.sh` refuses a single backend replica, where deleting the pod is
//!   an outage by design (it then asserts zero failed requests).
//! - `verify.sh`, run against a real `todo serve` on PostgreSQL standing in
//!   for the ingress, passes and leaves nothing behind: with the in-cluster
//!   PostgreSQL (reached through the stub's `kubectl exec`) the user it made
//!   is deleted, with an external database its token, tasks and
//!   conversations are.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use todo_testkit::workspace_root as root;

const HELM: &str = r#"#!/usr/bin/env bash
# Stub helm: a release is $STUB_STATE/release.json (its user-supplied values).
set -euo pipefail
state="$STUB_STATE"
printf 'helm %s\n' "$*" >>"$state/calls"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
  -n | --namespace | --timeout | --max | -o) shift 2 ;;
  *) args+=("$1"); shift ;;
  esac
done
set -- "${args[@]}"
case "$1" in
version) echo "v3.17.3+gstub" ;;
status) [ -f "$state/release.json" ] || { echo "Error: release: not found" >&2; exit 1; } ;;
get) [ -f "$state/release.json" ] || { echo "Error: release: not found" >&2; exit 1; }
  cat "$state/release.json" ;;
history) echo '[{"revision":1}]' ;;
test) ;;
upgrade)
  # The release's values become exactly what this upgrade supplies.
  merged='{}'
  while [ $# -gt 0 ]; do
    if [ "$1" = --values ] || [ "$1" = -f ]; then
      merged="$(jq -s '.[0] * .[1]' <(printf '%s' "$merged") "$2")"
      shift 2
    else
      shift
    fi
  done
  printf '%s\n' "$merged" >"$state/release.json"
  ;;
*) echo "stub helm: unexpected: $*" >&2; exit 2 ;;
esac
"#;

const KUBECTL: &str = r#"#!/usr/bin/env bash
# Stub kubectl: the chart's Secret is $STUB_STATE/secret.json, a volume
# exists when $STUB_STATE/pvc-<name> does.
set -euo pipefail
state="$STUB_STATE"
printf 'kubectl %s\n' "$*" >>"$state/calls"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
  -n | --namespace) shift 2 ;;
  *) args+=("$1"); shift ;;
  esac
done
set -- "${args[@]}"
case "$1 ${2:-}" in
"version "*) ;;
"config "*) echo stub ;;
"get secret") [ -f "$state/secret.json" ] || { echo "Error from server (NotFound): secrets \"$3\" not found" >&2; exit 1; }
  cat "$state/secret.json" ;;
"get pvc") [ -f "$state/pvc-$3" ] || { echo "Error from server (NotFound): persistentvolumeclaims \"$3\" not found" >&2; exit 1; } ;;
"get statefulset") exit 1 ;;
"get deployment") echo "${STUB_REPLICAS:-1}" ;;
"get pod") [ -f "$state/pod-$3" ] || { echo "Error from server (NotFound): pods \"$3\" not found" >&2; exit 1; } ;;
"exec "*)
  # Runs the command here, with the pod's environment ($STUB_STATE/pod-<name>).
  pod="$2"
  shift 2
  [ "$1" != -- ] || shift
  [ -f "$state/pod-$pod" ] || { echo "Error from server (NotFound): pods \"$pod\" not found" >&2; exit 1; }
  set -a
  . "$state/pod-$pod"
  set +a
  exec "$@" ;;
"get pods" | "rollout status") ;;
*) echo "stub kubectl: unexpected: $*" >&2; exit 2 ;;
esac
"#;

const MINIKUBE: &str = r#"#!/usr/bin/env bash
# Stub minikube: images built are listed in $STUB_STATE/images.
set -euo pipefail
state="$STUB_STATE"
printf 'minikube %s\n' "$*" >>"$state/calls"
case "$*" in
*" status "*) echo Running ;;
*" image build "*)
  while [ $# -gt 0 ]; do
    if [ "$1" = -t ]; then printf '%s\n' "$2" >>"$state/images"; fi
    shift
  done ;;
*" image ls"*) cat "$state/images" 2>/dev/null || true ;;
*) echo "stub minikube: unexpected: $*" >&2; exit 2 ;;
esac
"#;

/// A folder with the stubs on PATH and the state they keep.
struct Cluster {
    dir: tempfile::TempDir,
}

impl Cluster {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(dir.path().join("state")).unwrap();
        for (name, body) in [("helm", HELM), ("kubectl", KUBECTL), ("minikube", MINIKUBE)] {
            let path = bin.join(name);
            std::fs::write(&path, body).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::write(dir.path().join("empty.env"), "").unwrap();
        Cluster { dir }
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// Runs a script with the stubs first on PATH, a private state folder,
    /// and only the given settings (no .env of the checkout).
    fn run(&self, script: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new("bash");
        command
            .arg(root().join(script))
            .args(args)
            .env_clear()
            .env(
                "PATH",
                format!(
                    "{}:/usr/local/bin:/usr/bin:/bin",
                    self.dir.path().join("bin").display()
                ),
            )
            .env("HOME", self.dir.path())
            .env("TODO_STATE_DIR", self.dir.path().join("scripts-state"))
            .env("STUB_STATE", self.state())
            .env("NO_COLOR", "1")
            .envs(env.iter().copied());
        if script.ends_with("deploy.sh") {
            command
                .arg("--env-file")
                .arg(self.dir.path().join("empty.env"));
        }
        command.output().unwrap()
    }

    /// Runs deploy.sh; fails the test unless it succeeds.
    fn deploy(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.run("infra/scripts/deploy.sh", args, env);
        let said = said(&out);
        assert!(out.status.success(), "deploy.sh {args:?} failed:\n{said}");
        said
    }

    /// Runs deploy.sh; fails the test unless it refuses, without installing.
    fn refused(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let upgrades = self.upgrades();
        let out = self.run("infra/scripts/deploy.sh", args, env);
        let said = said(&out);
        assert!(
            !out.status.success(),
            "deploy.sh {args:?} should refuse:\n{said}"
        );
        assert_eq!(
            self.upgrades(),
            upgrades,
            "it refused after `helm upgrade`:\n{said}"
        );
        said
    }

    /// The release's values, as `helm get values` shows them.
    fn release(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.state().join("release.json")).unwrap())
            .unwrap()
    }

    fn upgrades(&self) -> usize {
        std::fs::read_to_string(self.state().join("calls"))
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("helm upgrade --install"))
            .count()
    }

    /// The chart's Secret as the chart leaves it: the generated password of
    /// the in-cluster PostgreSQL kept in it.
    fn secret_with_password(&self, password: &str) {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(password);
        std::fs::write(
            self.state().join("secret.json"),
            json!({"data": {"postgres-password": encoded, "jwt-secret": "c2VjcmV0"}}).to_string(),
        )
        .unwrap();
    }

    fn volume(&self) {
        std::fs::write(self.state().join("pvc-data-todo-chatbot-postgresql-0"), "").unwrap();
    }
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn in_cluster(values: &Value) -> bool {
    values["postgresql"]["enabled"] != json!(false)
}

const NEON: &str = "postgres://todo:npg_one@ep-quiet-cloud-a1b2c3-pooler.eu-central-1.aws.neon.tech/todo?sslmode=verify-full";

#[test]
fn an_external_database_stays_until_switched_back_with_its_old_password() {
    let cluster = Cluster::new();
    let direct = NEON.replace("-pooler", "");
    cluster.deploy(
        &[],
        &[("DATABASE_URL", NEON), ("DATABASE_MIGRATION_URL", &direct)],
    );
    assert!(!in_cluster(&cluster.release()));
    assert_eq!(
        cluster.release()["externalDatabase"]["migrationUrl"],
        json!(direct)
    );

    // A plain run keeps the external database (it used to silently go back
    // to the in-cluster one, with a new password the kept volume rejects).
    let said = cluster.deploy(&[], &[]);
    let release = cluster.release();
    assert!(
        !in_cluster(&release),
        "a plain run switched databases:\n{said}"
    );
    assert_eq!(release["externalDatabase"]["url"], json!(NEON));
    assert!(said.contains("external, kept"), "{said}");

    // The same database with a rotated password is no switch.
    let rotated = NEON.replace("npg_one", "npg_two");
    cluster.deploy(&[], &[("DATABASE_URL", &rotated)]);
    assert_eq!(cluster.release()["externalDatabase"]["url"], json!(rotated));
    assert_eq!(
        cluster.release()["externalDatabase"]["migrationUrl"],
        json!(""),
        "a new DATABASE_URL comes with its own migration URL or none"
    );
    // Another database is.
    let other = "postgres://todo:pw@db.example.com:5432/todo?sslmode=verify-full";
    let said = cluster.refused(&[], &[("DATABASE_URL", other)]);
    assert!(said.contains("--switch-database"), "{said}");

    // Back to the in-cluster PostgreSQL, whose volume is still there: only
    // when asked, and with the password the chart kept.
    cluster.volume();
    cluster.secret_with_password("the-volume's-password");
    let said = cluster.deploy(&["--switch-database"], &[]);
    let release = cluster.release();
    assert!(in_cluster(&release), "{said}");
    assert_eq!(release["externalDatabase"]["url"], json!(""));
    assert_eq!(
        release["postgresql"]["auth"]["password"],
        json!("the-volume's-password"),
        "the volume's password, not a new one:\n{said}"
    );
    // It stays: the next plain run changes nothing.
    cluster.deploy(&[], &[]);
    assert_eq!(cluster.release(), release);
}

#[test]
fn the_in_cluster_database_is_not_left_behind_without_switch_database() {
    let cluster = Cluster::new();
    cluster.deploy(&[], &[]);
    assert!(in_cluster(&cluster.release()));
    cluster.deploy(&[], &[]);
    assert!(in_cluster(&cluster.release()), "a plain run keeps it");

    let said = cluster.refused(&[], &[("DATABASE_URL", NEON)]);
    assert!(
        said.contains("in-cluster PostgreSQL")
            && said.contains("data-todo-chatbot-postgresql-0")
            && said.contains("--switch-database"),
        "the refusal says why and what to do:\n{said}"
    );
    assert!(in_cluster(&cluster.release()));

    cluster.deploy(&["--switch-database"], &[("DATABASE_URL", NEON)]);
    assert!(!in_cluster(&cluster.release()));
}

#[test]
fn switching_back_refuses_a_volume_whose_password_is_lost() {
    let cluster = Cluster::new();
    cluster.deploy(&[], &[("DATABASE_URL", NEON)]);
    cluster.volume();
    let said = cluster.refused(&["--switch-database"], &[]);
    assert!(
        said.contains("lacks its password") && said.contains("POSTGRES_PASSWORD"),
        "{said}"
    );
    // Given the password, it goes back.
    cluster.deploy(
        &["--switch-database"],
        &[("POSTGRES_PASSWORD", "remembered")],
    );
    assert_eq!(
        cluster.release()["postgresql"]["auth"]["password"],
        json!("remembered")
    );
}

#[test]
fn other_choices_stay_and_reset_values_keeps_only_the_database() {
    let cluster = Cluster::new();
    cluster.deploy(
        &[],
        &[
            ("DATABASE_URL", NEON),
            ("LLM_BASE_URL", "https://api.openai.com/v1"),
            ("LLM_MODEL", "gpt-4o-mini"),
            ("LLM_API_KEY", "sk-test"),
        ],
    );
    cluster.deploy(&[], &[]);
    let release = cluster.release();
    assert_eq!(release["llm"]["model"], json!("gpt-4o-mini"), "{release}");
    assert_eq!(release["llm"]["apiKey"], json!("sk-test"));

    cluster.deploy(&["--reset-values"], &[]);
    let release = cluster.release();
    assert!(release.get("llm").is_none(), "{release}");
    assert_eq!(release["externalDatabase"]["url"], json!(NEON));
}

/// `source_image_tag` of common.bash, for a folder.
fn source_tag(dir: &Path) -> String {
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -euo pipefail; source '{}'; source_image_tag \"$1\"",
            root().join("infra/scripts/common.bash").display()
        ))
        .arg("-")
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    String::from_utf8(out.stdout).unwrap()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", said(&out));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn image_tags_change_with_the_sources() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    std::fs::write(dir.join("main.rs"), "fn main() {}\n").unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "one"]);
    let clean = source_tag(dir);
    assert_eq!(
        clean,
        format!("git-{}", git(dir, &["rev-parse", "--short=12", "HEAD"]))
    );
    assert_eq!(source_tag(dir), clean, "the same sources, the same tag");

    std::fs::write(dir.join("main.rs"), "fn main() { println!(); }\n").unwrap();
    let edited = source_tag(dir);
    assert!(edited.starts_with(&format!("{clean}-dirty-")), "{edited}");
    std::fs::write(dir.join("main.rs"), "fn main() { println!(\"x\"); }\n").unwrap();
    let edited_again = source_tag(dir);
    assert_ne!(edited_again, edited, "each edit rebuilds under a new tag");
    std::fs::write(dir.join("new.rs"), "// new\n").unwrap();
    assert_ne!(source_tag(dir), edited_again, "a new file counts");

    git(dir, &["add", "."]);
    git(dir, &["commit", "-qm", "two"]);
    let committed = source_tag(dir);
    assert!(committed.starts_with("git-") && !committed.contains("dirty"));
    assert_ne!(committed, clean);
}

#[test]
fn deploy_rolls_out_the_images_built_last() {
    let cluster = Cluster::new();
    let out = cluster.run("infra/scripts/build-images.sh", &[], &[]);
    assert!(out.status.success(), "build-images.sh:\n{}", said(&out));
    // The tag of this checkout's revision (plus a hash when modified: other
    // work in a shared checkout may change that between two readings).
    let tag = std::fs::read_to_string(cluster.dir.path().join("scripts-state/image-tag.backend"))
        .unwrap()
        .trim()
        .to_owned();
    let revision = git(&root(), &["rev-parse", "--short=12", "HEAD"]);
    assert!(
        tag == format!("git-{revision}") || tag.starts_with(&format!("git-{revision}-dirty-")),
        "{tag} is not the tag of {revision}"
    );
    let images = std::fs::read_to_string(cluster.state().join("images")).unwrap();
    assert_eq!(
        images,
        format!("todo-chatbot-backend:{tag}\ntodo-chatbot-frontend:{tag}\n"),
        "built under the sources' tag"
    );

    cluster.deploy(&[], &[]);
    let release = cluster.release();
    assert_eq!(release["backend"]["image"]["tag"], json!(tag));
    assert_eq!(release["frontend"]["image"]["tag"], json!(tag));

    // A rebuild of one image moves only that one; IMAGE_TAG wins.
    let out = cluster.run(
        "infra/scripts/build-images.sh",
        &["--only", "backend"],
        &[("IMAGE_TAG", "rebuilt")],
    );
    assert!(out.status.success(), "{}", said(&out));
    cluster.deploy(&[], &[]);
    let release = cluster.release();
    assert_eq!(release["backend"]["image"]["tag"], json!("rebuilt"));
    assert_eq!(release["frontend"]["image"]["tag"], json!(tag));
    cluster.deploy(&[], &[("IMAGE_TAG", "pinned")]);
    assert_eq!(
        cluster.release()["frontend"]["image"]["tag"],
        json!("pinned")
    );
}

#[test]
fn chaos_refuses_a_single_backend_replica() {
    let cluster = Cluster::new();
    cluster.deploy(&[], &[]);
    let out = cluster.run(
        "infra/scripts/chaos.sh",
        &[],
        &[("INGRESS_IP", "127.0.0.1"), ("STUB_REPLICAS", "1")],
    );
    let said = said(&out);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("runs 1 replica") && said.contains("backend.replicaCount=2"),
        "the refusal says why and what to do:\n{said}"
    );
    let calls = std::fs::read_to_string(cluster.state().join("calls")).unwrap();
    assert!(
        !calls.contains("delete pod"),
        "it deleted a pod anyway:\n{calls}"
    );
}

/// A real `todo serve` on a fresh PostgreSQL database, standing in for the
/// app behind the ingress; stopped when dropped.
struct Server {
    child: std::process::Child,
    port: u16,
    database: String,
    _data: tempfile::TempDir,
}

impl Server {
    fn start() -> Self {
        let port = todo_testkit::free_port().unwrap();
        let database = todo_testkit::fresh_postgres_database();
        let data = tempfile::tempdir().unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_todo"))
            .arg("serve")
            .env_clear()
            .env("DATABASE_URL", &database)
            .env(
                "JWT_SECRET",
                "verify-test-secret-0123456789abcdef0123456789",
            )
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("DATA_DIR", data.path())
            .env("MCP_ALLOWED_HOSTS", format!("todo.local:{port}"))
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed().as_secs() < 60,
                "todo serve did not listen"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Server {
            child,
            port,
            database,
            _data: data,
        }
    }

    fn count(&self, sql: &str) -> u64 {
        todo_testkit::postgres()
            .psql_on(&self.database, sql)
            .unwrap()
            .parse()
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs verify.sh through the stubs against the server; what it said.
fn verify(cluster: &Cluster, server: &Server) -> String {
    std::fs::write(cluster.state().join("release.json"), "{}").unwrap();
    let port = server.port.to_string();
    let out = cluster.run(
        "infra/scripts/verify.sh",
        &[],
        &[
            ("APP_HOST", "todo.local"),
            ("INGRESS_IP", "127.0.0.1"),
            ("APP_PORT", &port),
        ],
    );
    let said = said(&out);
    assert!(out.status.success(), "verify.sh failed:\n{said}");
    assert!(said.contains("All checks passed"), "{said}");
    said
}

#[test]
fn verify_deletes_its_user_from_the_in_cluster_database() {
    let cluster = Cluster::new();
    let server = Server::start();
    // The PostgreSQL pod: `kubectl exec` runs psql here, on the server's database.
    let rest = server.database.split_once("://").unwrap().1;
    let (credentials, address) = rest.split_once('@').unwrap();
    let (user, password) = credentials.split_once(':').unwrap_or((credentials, ""));
    let (host_port, database) = address.split_once('/').unwrap();
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "5432"));
    std::fs::write(
        cluster.state().join("pod-todo-chatbot-postgresql-0"),
        format!(
            "PGHOST={host}\nPGPORT={port}\nPGPASSWORD='{password}'\nAPP_DB_USER={user}\nPOSTGRES_DB={}\n",
            database.split('?').next().unwrap()
        ),
    )
    .unwrap();
    let said = verify(&cluster, &server);
    assert!(said.contains("deleted, with its tasks"), "{said}");
    assert_eq!(server.count("SELECT count(*) FROM users"), 0, "{said}");
    assert_eq!(server.count("SELECT count(*) FROM tasks"), 0);
    assert_eq!(server.count("SELECT count(*) FROM api_tokens"), 0);
}

#[test]
fn verify_removes_its_token_tasks_and_conversations_from_an_external_database() {
    let cluster = Cluster::new();
    let server = Server::start();
    let said = verify(&cluster, &server);
    assert!(said.contains("token revoked"), "{said}");
    assert_eq!(server.count("SELECT count(*) FROM api_tokens"), 0, "{said}");
    assert_eq!(server.count("SELECT count(*) FROM tasks"), 0, "{said}");
    assert_eq!(
        server.count("SELECT count(*) FROM conversations"),
        0,
        "{said}"
    );
    assert_eq!(
        server.count("SELECT count(*) FROM users"),
        1,
        "the account stays (the API deletes none), empty"
    );
}
