{{/* The release's base name, at most 63 characters with room for the role suffix. */}}
{{- define "petstore.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "petstore.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "petstore.labels" -}}
{{ include "petstore.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "petstore.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/*
What every petstore container is told: the endpoints, the namespace, the listeners, the plain
settings of .Values.env, and the secrets by reference to the existing Secret (never by value).
*/}}
{{- define "petstore.env" -}}
- name: PETSTORE_NAMESPACE
  value: {{ .Values.namespace | quote }}
- name: KAFKA_BROKERS
  value: {{ required "kafka.brokers is required" .Values.kafka.brokers | quote }}
- name: KAFKA_TOPIC_PARTITIONS
  value: {{ .Values.kafka.topicPartitions | quote }}
- name: KAFKA_REPLICATION_FACTOR
  value: {{ .Values.kafka.replicationFactor | quote }}
- name: TEMPORAL_ADDRESS
  value: {{ required "temporal.address is required" .Values.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
{{- with .Values.temporal.uiUrl }}
- name: TEMPORAL_UI_URL
  value: {{ . | quote }}
{{- end }}
- name: HOST
  value: "0.0.0.0"
- name: PORT
  value: {{ .Values.ports.http | quote }}
- name: METRICS_HOST
  value: "0.0.0.0"
- name: METRICS_PORT
  value: {{ .Values.ports.metrics | quote }}
{{- range $name, $value := .Values.env }}
{{- if has $name (list "JWT_SECRET" "DATABASE_URL" "TEMPORAL_CODEC_KEYS" "PAYMENT_TOKEN_KEYS" "REQUEST_HASH_KEY" "SMTP_URL" "WEBHOOK_SECRET" "KAFKA_SASL_PASSWORD" "TEMPORAL_API_KEY" "OIDC_CLIENT_SECRET") }}
{{- fail (printf "env.%s is a secret: put it in the Secret and name its key in secrets.keys or secrets.optionalKeys" $name) }}
{{- end }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- $secret := required "secrets.name is required: an existing Secret with the keys in secrets.keys" .Values.secrets.name }}
{{- range $name, $key := .Values.secrets.keys }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef: { name: {{ $secret }}, key: {{ $key }} }
{{- end }}
{{- range $name, $key := .Values.secrets.optionalKeys }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef: { name: {{ $secret }}, key: {{ $key }}, optional: true }
{{- end }}
{{- end -}}

{{/* Writable places on a read-only root: the data folder and /tmp. */}}
{{- define "petstore.volumes" -}}
- name: data
  emptyDir: {}
- name: tmp
  emptyDir: {}
{{- end -}}

{{- define "petstore.volumeMounts" -}}
- name: data
  mountPath: /app/.petstore
- name: tmp
  mountPath: /tmp
{{- end -}}
