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
{{- $existing := lookup "v1" "Secret" .context.Release.Namespace (include "todo-chatbot.fullname" .context) -}}
{{- $data := dict -}}
{{- if $existing -}}{{- $data = (get $existing "data") | default dict -}}{{- end -}}
{{- $kept := get $data .key -}}
{{- if $kept -}}
{{- $kept | b64dec -}}
{{- else -}}
{{- randAlphaNum (int .length) -}}
{{- end -}}
{{- end -}}
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
{{- if .Values.ingress.enabled -}}
{{- $hosts = concat $hosts .Values.ingress.hosts -}}
{{- end -}}
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
{{- if $errors -}}
{{- fail (printf "\n\nVALUES ERROR:\n  - %s\n" (join "\n  - " $errors)) -}}
{{- end -}}
{{- end -}}
