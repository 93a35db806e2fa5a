{{/*
Names, labels, images and the values every template shares.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "todo-chatbot.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The full name: fullnameOverride, or `<release>-<chart>` (just the release name
when it already contains the chart name). Components append `-backend`,
`-frontend`, `-postgresql`, so it is cut at 52 characters.
*/}}
{{- define "todo-chatbot.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "todo-chatbot.backend.fullname" -}}
{{- printf "%s-backend" (include "todo-chatbot.fullname" .) -}}
{{- end -}}

{{- define "todo-chatbot.frontend.fullname" -}}
{{- printf "%s-frontend" (include "todo-chatbot.fullname" .) -}}
{{- end -}}

{{- define "todo-chatbot.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "todo-chatbot.fullname" .) -}}
{{- end -}}

{{/* `chart-version`, for the helm.sh/chart label. */}}
{{- define "todo-chatbot.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every resource. */}}
{{- define "todo-chatbot.labels" -}}
helm.sh/chart: {{ include "todo-chatbot.chart" . }}
app.kubernetes.io/name: {{ include "todo-chatbot.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: todo-chatbot
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels; call with (dict "context" $ "component" "backend"). */}}
{{- define "todo-chatbot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-chatbot.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Labels of a component's resources: (dict "context" $ "component" "backend"). */}}
{{- define "todo-chatbot.componentLabels" -}}
{{ include "todo-chatbot.labels" .context }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* commonAnnotations, as a block (empty when none). */}}
{{- define "todo-chatbot.annotations" -}}
{{- with .Values.commonAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
An image reference: (dict "image" .Values.backend.image "context" $).
global.imageRegistry wins over the image's registry; a digest wins over the
tag; the tag defaults to the chart's appVersion.
*/}}
{{- define "todo-chatbot.image" -}}
{{- $registry := .image.registry -}}
{{- if .context.Values.global.imageRegistry -}}
{{- $registry = .context.Values.global.imageRegistry -}}
{{- end -}}
{{- $repository := .image.repository -}}
{{- if $registry -}}
{{- $repository = printf "%s/%s" $registry .image.repository -}}
{{- end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (toString (default .context.Chart.AppVersion .image.tag)) -}}
{{- end -}}
{{- end -}}

{{/* imagePullSecrets of a pod (nothing when none). */}}
{{- define "todo-chatbot.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The ServiceAccount's name. */}}
{{- define "todo-chatbot.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "todo-chatbot.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret the backend (and PostgreSQL) read. */}}
{{- define "todo-chatbot.secretName" -}}
{{- default (include "todo-chatbot.fullname" .) .Values.secret.existingSecret -}}
{{- end -}}

{{/* True (non-empty) when the chart renders its own Secret. */}}
{{/*
Checksum of what the chart's Secret is made from, for a pod annotation that
rolls the pods when it changes. The values, not the rendered Secret: a
generated value differs between renders until the Secret exists (at install
the annotation would hash one random value and the Secret hold another), so
the first upgrade after an install rolled every pod for nothing.
*/}}
{{- define "todo-chatbot.secretChecksum" -}}
{{- $inputs := dict "secret" .Values.secret "database" .Values.externalDatabase "postgresql" .Values.postgresql.auth "inCluster" .Values.postgresql.enabled "llmEnabled" .Values.llm.enabled "llmApiKey" .Values.llm.apiKey -}}
{{- $inputs | toJson | sha256sum -}}
{{- end -}}

{{- define "todo-chatbot.createSecret" -}}
{{- if not .Values.secret.existingSecret -}}true{{- end -}}
{{- end -}}

{{/*
A secret value that is generated once and kept: the given value, else the
value already in the release's Secret (on upgrade), else random characters.
(dict "context" $ "key" "jwt-secret" "value" .Values.secret.jwtSecret "length" 64)
*/}}
{{- define "todo-chatbot.keptSecretValue" -}}
{{- if .value -}}
{{- .value -}}
{{- else -}}
{{- $kept := include "todo-chatbot.existingSecretValue" . -}}
{{- if $kept -}}
{{- $kept -}}
{{- else -}}
{{- randAlphaNum (int .length) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A key's value in the release's Secret as it is in the cluster; empty when none (or offline). */}}
{{- define "todo-chatbot.existingSecretValue" -}}
{{- $existing := lookup "v1" "Secret" .context.Release.Namespace (include "todo-chatbot.fullname" .context) -}}
{{- $data := dict -}}
{{- if $existing -}}{{- $data = (get $existing "data") | default dict -}}{{- end -}}
{{- with get $data .key -}}{{- . | b64dec -}}{{- end -}}
{{- end -}}

{{/* The in-cluster PostgreSQL Service's host name. */}}
{{- define "todo-chatbot.postgresql.host" -}}
{{- printf "%s.%s.svc.%s" (include "todo-chatbot.postgresql.fullname" .) .Release.Namespace .Values.clusterDomain -}}
{{- end -}}

{{/*
Host names /mcp answers to (MCP_ALLOWED_HOSTS): loopback, the ingress hosts,
the backend Service's names (with and without the port), and extra ones.
*/}}
{{- define "todo-chatbot.mcpAllowedHosts" -}}
{{- $svc := include "todo-chatbot.backend.fullname" . -}}
{{- $port := toString .Values.backend.service.port -}}
{{- $hosts := list "localhost" "127.0.0.1" "[::1]" -}}
{{- $hosts = concat $hosts (include "todo-chatbot.publicHosts" . | fromJsonArray) -}}
{{- range list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.%s" $svc .Release.Namespace .Values.clusterDomain) -}}
{{- $hosts = append $hosts . -}}
{{- $hosts = append $hosts (printf "%s:%s" . $port) -}}
{{- end -}}
{{- $hosts = concat $hosts .Values.backend.config.mcpAllowedHosts -}}
{{- $hosts | uniq | join "," -}}
{{- end -}}

{{/*
Pod anti-affinity preset: (dict "context" $ "component" "backend" "preset" "soft").
*/}}
{{- define "todo-chatbot.antiAffinity" -}}
{{- if eq .preset "soft" }}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 1
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "todo-chatbot.selectorLabels" (dict "context" .context "component" .component) | nindent 12 }}
{{- else if eq .preset "hard" }}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- include "todo-chatbot.selectorLabels" (dict "context" .context "component" .component) | nindent 10 }}
{{- end }}
{{- end -}}

{{/*
A container's preStop pause, when asked for and the cluster has the `sleep`
action (Kubernetes 1.30+); `helm template --kube-version` decides offline.
*/}}
{{- define "todo-chatbot.preStop" -}}
{{- if and (gt (int .seconds) 0) (semverCompare ">=1.30-0" .context.Capabilities.KubeVersion.Version) }}
lifecycle:
  preStop:
    sleep:
      seconds: {{ int .seconds }}
{{- end }}
{{- end -}}

{{/*
Checks values the schema cannot: combinations. Each failure names the value
to set.
*/}}
{{- define "todo-chatbot.validateValues" -}}
{{- $errors := list -}}
{{- if and (not .Values.postgresql.enabled) (not .Values.secret.existingSecret) (not .Values.externalDatabase.url) -}}
{{- $errors = append $errors "postgresql.enabled=false needs a database: set externalDatabase.url (e.g. a Neon URL) or secret.existingSecret with a database-url key" -}}
{{- end -}}
{{- if and .Values.postgresql.enabled .Values.externalDatabase.url -}}
{{- $errors = append $errors "externalDatabase.url is set while postgresql.enabled=true: choose one (set postgresql.enabled=false to use the external database)" -}}
{{- end -}}
{{- if and .Values.llm.enabled (not .Values.llm.model) -}}
{{- $errors = append $errors "llm.enabled=true needs llm.model (e.g. gpt-4o-mini)" -}}
{{- end -}}
{{- if and .Values.llm.enabled (not .Values.llm.baseUrl) -}}
{{- $errors = append $errors "llm.enabled=true needs llm.baseUrl (e.g. https://api.openai.com/v1)" -}}
{{- end -}}
{{- if and .Values.secret.jwtSecret (lt (len .Values.secret.jwtSecret) 32) -}}
{{- $errors = append $errors "secret.jwtSecret must be at least 32 characters (e.g. openssl rand -hex 32)" -}}
{{- end -}}
{{- if and .Values.backend.autoscaling.enabled (gt (int .Values.backend.autoscaling.minReplicas) (int .Values.backend.autoscaling.maxReplicas)) -}}
{{- $errors = append $errors "backend.autoscaling.minReplicas is above backend.autoscaling.maxReplicas" -}}
{{- end -}}
{{- if and .Values.frontend.autoscaling.enabled (gt (int .Values.frontend.autoscaling.minReplicas) (int .Values.frontend.autoscaling.maxReplicas)) -}}
{{- $errors = append $errors "frontend.autoscaling.minReplicas is above frontend.autoscaling.maxReplicas" -}}
{{- end -}}
{{- $shutdown := .Values.backend.config.shutdownTimeout | toString -}}
{{- if and (regexMatch "^[0-9]+s$" $shutdown) (ge (add (int (trimSuffix "s" $shutdown)) (int .Values.backend.preStopSleepSeconds)) (int .Values.backend.terminationGracePeriodSeconds)) -}}
{{- $errors = append $errors "backend.terminationGracePeriodSeconds must exceed backend.preStopSleepSeconds + backend.config.shutdownTimeout, or in-flight requests are killed" -}}
{{- end -}}
{{- range $component := list "backend" "frontend" -}}
{{- $v := index $.Values $component -}}
{{- if $v.pdb.create -}}
{{- $replicas := int $v.replicaCount -}}
{{- if $v.autoscaling.enabled -}}{{- $replicas = int $v.autoscaling.minReplicas -}}{{- end -}}
{{- $min := toString $v.pdb.minAvailable -}}
{{- $max := toString $v.pdb.maxUnavailable -}}
{{- $evictable := 1 -}}
{{- if ne $min "" -}}
{{- $needed := int $min -}}
{{- if hasSuffix "%" $min -}}{{- $needed = div (add (mul (int (trimSuffix "%" $min)) $replicas) 99) 100 -}}{{- end -}}
{{- $evictable = sub $replicas $needed -}}
{{- else if ne $max "" -}}
{{- $evictable = int $max -}}
{{- if hasSuffix "%" $max -}}{{- $evictable = div (add (mul (int (trimSuffix "%" $max)) $replicas) 99) 100 -}}{{- end -}}
{{- end -}}
{{- if le (int $evictable) 0 -}}
{{- $errors = append $errors (printf "%s.pdb leaves no %s pod evictable with %d replica(s) (minAvailable %q, maxUnavailable %q): node drains would hang; raise %s.replicaCount (or autoscaling.minReplicas) or set %s.pdb.maxUnavailable=1" $component $component $replicas $min $max $component $component) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and .Values.networkPolicy.enabled (not .Values.networkPolicy.allowExternalEgress) (not .Values.networkPolicy.extraEgress) -}}
{{- if not .Values.postgresql.enabled -}}
{{- $errors = append $errors "postgresql.enabled=false uses an external database, which networkPolicy.allowExternalEgress=false blocks: set networkPolicy.allowExternalEgress=true (limited to the database's port by networkPolicy.externalEgress), or give networkPolicy.extraEgress a rule to it" -}}
{{- end -}}
{{- if .Values.llm.enabled -}}
{{- $errors = append $errors "llm.enabled=true needs to reach the model, which networkPolicy.allowExternalEgress=false blocks: set networkPolicy.allowExternalEgress=true, or give networkPolicy.extraEgress a rule to it" -}}
{{- end -}}
{{- end -}}
{{- if .Values.backend.migrations.job.enabled -}}
{{- if or .Values.postgresql.enabled (not .Values.secret.existingSecret) -}}
{{- $errors = append $errors "backend.migrations.job.enabled=true runs before the release's own resources exist: it needs an external database (postgresql.enabled=false) and secret.existingSecret" -}}
{{- end -}}
{{- end -}}
{{- if and .Values.httpRoute.enabled (not .Values.httpRoute.parentRefs) -}}
{{- $errors = append $errors "httpRoute.enabled=true needs httpRoute.parentRefs (the Gateway to attach to, e.g. [{name: public, namespace: gateway-system}])" -}}
{{- end -}}
{{- if and .Values.postgresql.enabled (eq .Values.postgresql.auth.username .Values.postgresql.auth.adminUsername) -}}
{{- $errors = append $errors "postgresql.auth.username must differ from postgresql.auth.adminUsername: the app connects as a role that is not the superuser" -}}
{{- end -}}
{{- if and .Values.backend.config.clientAddressHeader (has .Values.backend.service.type (list "NodePort" "LoadBalancer")) -}}
{{- $errors = append $errors (printf "backend.config.clientAddressHeader trusts a header any client can send, and backend.service.type=%s lets clients reach the backend without a proxy: set backend.config.clientAddressHeader=\"\"" .Values.backend.service.type) -}}
{{- end -}}
{{- if $errors -}}
{{- fail (printf "\n\nVALUES ERROR:\n  - %s\n" (join "\n  - " $errors)) -}}
{{- end -}}
{{- end -}}

{{/* A URL's port: the explicit one, else the scheme's (dict "url" … "default" 443). */}}
{{- define "todo-chatbot.urlPort" -}}
{{- $host := (urlParse .url).host -}}
{{- $port := regexFind ":[0-9]+$" $host | trimPrefix ":" -}}
{{- if $port -}}{{- $port -}}{{- else -}}{{- .default -}}{{- end -}}
{{- end -}}

{{/* TCP ports the backend reaches outside the cluster: the external database's, the LLM's, and extra ones. */}}
{{- define "todo-chatbot.externalEgressPorts" -}}
{{- $ports := list -}}
{{- if not .Values.postgresql.enabled -}}
{{- if .Values.networkPolicy.externalEgress.databasePort -}}
{{- $ports = append $ports (int .Values.networkPolicy.externalEgress.databasePort) -}}
{{- else if .Values.externalDatabase.url -}}
{{- $ports = append $ports (int (include "todo-chatbot.urlPort" (dict "url" .Values.externalDatabase.url "default" 5432))) -}}
{{- else -}}
{{- $ports = append $ports 5432 -}}
{{- end -}}
{{- end -}}
{{- if and .Values.llm.enabled .Values.llm.baseUrl -}}
{{- $default := 443 -}}
{{- if hasPrefix "http://" .Values.llm.baseUrl -}}{{- $default = 80 -}}{{- end -}}
{{- $ports = append $ports (int (include "todo-chatbot.urlPort" (dict "url" .Values.llm.baseUrl "default" $default))) -}}
{{- end -}}
{{- range .Values.networkPolicy.externalEgress.extraPorts -}}
{{- $ports = append $ports (int .) -}}
{{- end -}}
{{- $ports | uniq | toJson -}}
{{- end -}}

{{/* Host names the app answers on: the ingress's and the HTTPRoute's. */}}
{{- define "todo-chatbot.publicHosts" -}}
{{- $hosts := list -}}
{{- if .Values.ingress.enabled -}}{{- $hosts = concat $hosts .Values.ingress.hosts -}}{{- end -}}
{{- if .Values.httpRoute.enabled -}}{{- $hosts = concat $hosts (default .Values.ingress.hosts .Values.httpRoute.hostnames) -}}{{- end -}}
{{- $hosts | uniq | toJson -}}
{{- end -}}

{{/*
The database's URLs, for a container's env: DATABASE_URL from the Secret, and
DATABASE_MIGRATION_URL when an external database has one.
*/}}
{{- define "todo-chatbot.databaseEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-chatbot.secretName" . }}
      key: {{ .Values.secret.keys.databaseUrl }}
{{- if and (not .Values.postgresql.enabled) (or .Values.externalDatabase.migrationUrl .Values.secret.existingSecret) }}
- name: DATABASE_MIGRATION_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-chatbot.secretName" . }}
      key: {{ .Values.secret.keys.databaseMigrationUrl }}
      {{- if .Values.secret.existingSecret }}
      optional: true
      {{- end }}
{{- end }}
{{- end -}}
