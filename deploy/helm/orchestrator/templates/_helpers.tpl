{{/*
What each service is: its default port, the prefix of its HOST/PORT variables, whether
it reads PostgreSQL (and so the database settings and ORCH_DATABASE_APP_URL), and which
of the other services it calls (the egress rules of its NetworkPolicy, when on).
*/}}
{{- define "orchestrator.catalog" -}}
control-api:
  port: 4000
  envPrefix: ORCH_CONTROL_API
  database: true
  calls: []
exec-api:
  port: 4001
  envPrefix: ORCH_EXEC_API
  database: true
  calls: []
webhook-ingress:
  port: 4003
  envPrefix: ORCH_WEBHOOK_INGRESS
  database: true
  calls: []
worker:
  port: 4004
  envPrefix: ORCH_WORKER
  database: true
  calls: []
console:
  port: 4002
  envPrefix: ORCH_CONSOLE
  database: false
  calls: [control-api, exec-api]
{{- end -}}

{{/* This release's entry of the catalog; fails on an unknown service. */}}
{{- define "orchestrator.svc" -}}
{{- $catalog := include "orchestrator.catalog" . | fromYaml -}}
{{- $service := required "set service: control-api, exec-api, webhook-ingress, worker or console" .Values.service -}}
{{- if not (hasKey $catalog $service) -}}
{{- fail (printf "unknown service %q" $service) -}}
{{- end -}}
{{- index $catalog $service | toYaml -}}
{{- end -}}

{{- define "orchestrator.port" -}}
{{- $svc := include "orchestrator.svc" . | fromYaml -}}
{{- if .Values.port }}{{ .Values.port }}{{ else }}{{ $svc.port }}{{ end -}}
{{- end -}}

{{- define "orchestrator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Full name: the release name when it already names the chart (orchestrator-exec-api),
else <release>-<chart>.
*/}}
{{- define "orchestrator.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "orchestrator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "orchestrator.instanceLabels" -}}
app.kubernetes.io/name: {{ include "orchestrator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "orchestrator.selectorLabels" -}}
{{ include "orchestrator.instanceLabels" . }}
app.kubernetes.io/component: {{ .Values.service }}
{{- end -}}

{{/* Labels that say what made an object, not which pods it selects. */}}
{{- define "orchestrator.metaLabels" -}}
helm.sh/chart: {{ include "orchestrator.chart" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: orchestrator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "orchestrator.labels" -}}
{{ include "orchestrator.metaLabels" . }}
{{ include "orchestrator.selectorLabels" . }}
{{- end -}}

{{- define "orchestrator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "orchestrator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* registry/name@digest, or registry/name:tag. Arguments: (dict "root" . "name" … "digest" …). */}}
{{- define "orchestrator.imageRef" -}}
{{- $image := .root.Values.image -}}
{{- $ref := printf "%s/%s" (trimSuffix "/" $image.registry) .name -}}
{{- if .digest -}}
{{- printf "%s@%s" $ref .digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (default .root.Chart.AppVersion $image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "orchestrator.image" -}}
{{- $name := default (printf "orchestrator-%s" .Values.service) .Values.image.name -}}
{{- include "orchestrator.imageRef" (dict "root" . "name" $name "digest" .Values.image.digest) -}}
{{- end -}}

{{- define "orchestrator.cliImage" -}}
{{- include "orchestrator.imageRef" (dict "root" . "name" .Values.migrations.image.name "digest" .Values.migrations.image.digest) -}}
{{- end -}}

{{/* Settings every process reads (no secrets); the database and secret-ref ones only
where PostgreSQL is read (not in the console). */}}
{{- define "orchestrator.commonEnv" -}}
{{- $svc := include "orchestrator.svc" . | fromYaml -}}
- name: ORCH_ENVIRONMENT
  value: {{ .Values.config.environment | quote }}
- name: ORCH_LOG_LEVEL
  value: {{ .Values.config.logLevel | quote }}
- name: ORCH_LOG_JSON
  value: "true"
- name: ORCH_AUTH_ISSUER
  value: {{ .Values.config.authIssuer | quote }}
- name: ORCH_REDIS_NAMESPACE
  value: {{ .Values.config.redisNamespace | quote }}
{{- if $svc.database }}
- name: ORCH_DB_APP_ROLE
  value: {{ .Values.config.dbAppRole | quote }}
- name: ORCH_DB_POOL_SIZE
  value: {{ .Values.config.dbPoolSize | quote }}
{{- end }}
- name: ORCH_TRACING_EXPORTER
  value: {{ .Values.config.tracingExporter | default "none" | quote }}
{{- if $svc.database }}
- name: ORCH_SECRET_REFS_ENV_PREFIX
  value: {{ .Values.config.secretRefsEnvPrefix | quote }}
{{- end }}
{{- with .Values.config.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- range $name, $value := .Values.config.extra }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/*
URL of an API the console calls: the override, else that service's release in this
namespace, named orchestrator-<service> as the chart's README installs them.
Arguments: (dict "root" . "service" … "url" <override or "">).
*/}}
{{- define "orchestrator.consoleApiUrl" -}}
{{- $catalog := include "orchestrator.catalog" .root | fromYaml -}}
{{- .url | default (printf "http://orchestrator-%s.%s.svc:%v" .service .root.Release.Namespace (index $catalog .service).port) -}}
{{- end -}}

{{/* The console's own settings: the two APIs, and how long sessions and API calls last. */}}
{{- define "orchestrator.consoleEnv" -}}
{{- $console := .Values.config.console -}}
- name: ORCH_CONSOLE_CONTROL_API_URL
  value: {{ include "orchestrator.consoleApiUrl" (dict "root" . "service" "control-api" "url" $console.controlApiUrl) | quote }}
- name: ORCH_CONSOLE_EXEC_API_URL
  value: {{ include "orchestrator.consoleApiUrl" (dict "root" . "service" "exec-api" "url" $console.execApiUrl) | quote }}
- name: ORCH_CONSOLE_SESSION_IDLE_S
  value: {{ $console.sessionIdleSeconds | toString | quote }}
- name: ORCH_CONSOLE_API_TIMEOUT_S
  value: {{ $console.apiTimeoutSeconds | toString | quote }}
{{- end -}}

{{- define "orchestrator.kekEnv" -}}
- name: ORCH_KEK
  valueFrom:
    secretKeyRef:
      name: {{ .Values.secrets.kek.existingSecret }}
      key: {{ .Values.secrets.kek.key }}
- name: ORCH_KEK_ID
  value: {{ .Values.secrets.kek.id | quote }}
{{- end -}}

{{/*
The payload store's settings (ADR 0089), with payloads.enabled, for a service that reads
PostgreSQL (never the console): the bucket and its bounds as values, the credentials only
as secretKeyRefs (none: boto3's chain, e.g. the pod's IRSA role). The store seals every
object under the KEK, and a service with a bucket and no KEK refuses to start: refuse it
here first.
*/}}
{{- define "orchestrator.payloadEnv" -}}
{{- $svc := include "orchestrator.svc" . | fromYaml -}}
{{- $payloads := .Values.payloads -}}
{{- if and $payloads.enabled $svc.database -}}
{{- if not (has .Values.service .Values.secrets.kek.services) -}}
{{- fail (printf "payloads.enabled: %s seals payloads under the KEK; add it to secrets.kek.services" .Values.service) -}}
{{- end -}}
- name: ORCH_PAYLOAD_BUCKET
  value: {{ required "payloads.bucket: the bucket large payloads go to" $payloads.bucket | quote }}
{{- with $payloads.endpointUrl }}
- name: ORCH_PAYLOAD_ENDPOINT_URL
  value: {{ . | quote }}
{{- end }}
{{- with $payloads.prefix }}
- name: ORCH_PAYLOAD_PREFIX
  value: {{ . | quote }}
{{- end }}
- name: ORCH_PAYLOAD_THRESHOLD_BYTES
  value: {{ $payloads.thresholdBytes | int64 | toString | quote }}
- name: ORCH_PAYLOAD_TIMEOUT_S
  value: {{ $payloads.timeoutSeconds | toString | quote }}
{{- with $payloads.region }}
- name: AWS_REGION
  value: {{ . | quote }}
{{- end }}
{{- with $payloads.credentials.existingSecret }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $payloads.credentials.accessKeyIdKey }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $payloads.credentials.secretAccessKeyKey }}
{{- end }}
{{- end -}}
{{- end -}}

{{- define "orchestrator.podSecurity" -}}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
Checkov suppressions, as annotations (how checkov reads them on Kubernetes objects),
each with its reason. Argument: (dict "digest" <the image digest or "">).
*/}}
{{- define "orchestrator.checkovSkips" -}}
checkov.io/skip1: "CKV_K8S_35=settings are environment variables (ADR 0011); secrets are secretKeyRefs, never values"
{{- if not .digest }}
checkov.io/skip2: "CKV_K8S_43=no digest configured; set image.digest to pin the image (CI prints one per build)"
{{- end }}
{{- end -}}
