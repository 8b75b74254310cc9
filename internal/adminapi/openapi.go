package adminapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	"masthead/internal/news"
)

// The OpenAPI 3.1 document is built from Go values next to the handlers it
// describes, once, and served as is. TestOpenAPI validates it with a
// maintained validator (Redocly's) and checks that it lists exactly the
// routes the API registers.

type obj = map[string]any

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func str(desc string) obj { return obj{"type": "string", "description": desc} }

func jsonBody(schema obj) obj {
	return obj{"content": obj{"application/json": obj{"schema": schema}}}
}

func resp(desc string, schema obj) obj {
	r := obj{"description": desc}
	if schema != nil {
		r["content"] = obj{"application/json": obj{"schema": schema}}
	}
	return r
}

// errors are the answers every operation may give, in the one error shape.
func errorResponses(codes ...string) obj {
	desc := map[string]string{
		"400": "The request is invalid; `field` names the field at fault.",
		"401": "No admin key, or not one of ours (or revoked).",
		"403": "The key's integration lacks the scope this needs.",
		"404": "Not found.",
		"409": "A conflict: a stale version (`fields` names what changed), or an Idempotency-Key whose first request is still running.",
		"413": "The body is too large.",
		"429": "The key is over its rate limit; Retry-After says when to try again.",
		"500": "Our failure; the response's X-Request-Id finds it in the log.",
		"503": "The server is busy or the database is slow; retry.",
	}
	out := obj{}
	for _, c := range append(codes, "401", "403", "429", "500", "503") {
		out[c] = obj{"description": desc[c], "content": obj{"application/json": obj{"schema": ref("Error")}}}
	}
	return out
}

func op(id, summary, scope string, extra obj) obj {
	o := obj{"operationId": id, "summary": summary, "security": []obj{{"adminKey": []string{}}},
		"description": "Needs an admin key with the `" + scope + "` scope.", "tags": []string{strings.SplitN(id, "_", 2)[0]}}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

func pathParam(name, desc string) obj {
	return obj{"name": name, "in": "path", "required": true, "description": desc, "schema": obj{"type": "integer", "format": "int64", "minimum": 1}}
}

var idempotencyKey = obj{"$ref": "#/components/parameters/IdempotencyKey"}

func withResponses(codes obj, extra obj) obj {
	for k, v := range extra {
		codes[k] = v
	}
	return codes
}

// Document returns the OpenAPI 3.1 document, with serverURL as its server.
func Document(serverURL string) obj {
	events := make([]any, len(news.WebhookEventTypes))
	for i, e := range news.WebhookEventTypes {
		events[i] = e
	}
	nullableTime := obj{"type": []string{"string", "null"}, "format": "date-time"}
	schemas := obj{
		"Error": obj{
			"type": "object", "required": []string{"error"},
			"properties": obj{"error": obj{
				"type": "object", "required": []string{"code", "message"},
				"properties": obj{
					"code":    obj{"type": "string", "enum": []string{"invalid", "unauthorized", "forbidden", "not_found", "conflict", "rate_limited", "internal"}},
					"message": str("What went wrong, safe to show to a person."),
					"field":   str("The request field at fault, when there is one."),
					"fields":  obj{"type": "array", "items": obj{"type": "string"}, "description": "On a version conflict: the fields changed since the version sent."},
				},
			}},
		},
		"Event": obj{"type": "string", "enum": events},
		"WebhookIn": obj{
			"type": "object", "required": []string{"url", "events"}, "additionalProperties": false,
			"properties": obj{
				"url":    obj{"type": "string", "format": "uri", "maxLength": 2000, "description": "Where deliveries are POSTed: http:// or https://, no credentials."},
				"events": obj{"type": "array", "minItems": 1, "items": ref("Event")},
			},
		},
		"Webhook": obj{
			"type": "object", "required": []string{"id", "url", "events", "created_at", "disabled"},
			"properties": obj{
				"id":         obj{"type": "integer", "format": "int64"},
				"url":        obj{"type": "string", "format": "uri"},
				"events":     obj{"type": "array", "items": ref("Event")},
				"secret":     str("The signing secret (whsec_...), in the answer to the creation only. Deliveries carry webhook-signature: v1,BASE64(HMAC-SHA256(key, id.timestamp.body)), the key being the base64 after whsec_ (Standard Webhooks)."),
				"created_at": obj{"type": "string", "format": "date-time"},
				"disabled":   obj{"type": "boolean"},
			},
		},
		"WebhookList": obj{"type": "object", "required": []string{"webhooks"}, "properties": obj{"webhooks": obj{"type": "array", "items": ref("Webhook")}}},
		"Delivery": obj{
			"type": "object", "required": []string{"id", "msg_id", "event", "state", "attempts", "last_status"},
			"properties": obj{
				"id":              obj{"type": "integer", "format": "int64"},
				"msg_id":          str("The webhook-id header: the same on every attempt."),
				"event":           ref("Event"),
				"state":           obj{"type": "string", "enum": []string{"pending", "delivered", "failed"}},
				"attempts":        obj{"type": "integer"},
				"last_status":     obj{"type": "integer", "description": "The receiver's HTTP status at the last attempt; 0 for no answer."},
				"last_error":      obj{"type": "string"},
				"next_attempt_at": nullableTime,
				"created_at":      nullableTime,
				"delivered_at":    nullableTime,
			},
		},
		"DeliveryList": obj{"type": "object", "required": []string{"deliveries"}, "properties": obj{"deliveries": obj{"type": "array", "items": ref("Delivery")}}},
		"Redelivery": obj{"type": "object", "required": []string{"id", "msg_id", "state"}, "properties": obj{
			"id": obj{"type": "integer", "format": "int64"}, "msg_id": obj{"type": "string"}, "state": obj{"type": "string", "const": "pending"}}},
		"WebhookPayload": obj{
			"type": "object", "required": []string{"type", "timestamp", "data"},
			"description": "The body of every delivery.",
			"properties":  obj{"type": ref("Event"), "timestamp": obj{"type": "string", "format": "date-time"}, "data": obj{"type": "object"}},
		},
	}
	paths := obj{
		Prefix + "/webhooks": obj{
			"get": op("webhooks_list", "List this integration's webhooks", "webhooks:manage", obj{
				"responses": withResponses(errorResponses(), obj{"200": resp("The webhooks, oldest first; no secrets.", ref("WebhookList"))}),
			}),
			"post": op("webhooks_create", "Subscribe a URL to events", "webhooks:manage", obj{
				"parameters":  []obj{idempotencyKey},
				"requestBody": withResponses(obj{"required": true}, jsonBody(ref("WebhookIn"))),
				"responses":   withResponses(errorResponses("400", "409", "413"), obj{"201": resp("Subscribed. The secret is shown here only.", ref("Webhook"))}),
			}),
		},
		Prefix + "/webhooks/{id}": obj{
			"delete": op("webhooks_delete", "Delete a webhook and its queued deliveries", "webhooks:manage", obj{
				"parameters": []obj{pathParam("id", "The webhook.")},
				"responses":  withResponses(errorResponses("404"), obj{"204": obj{"description": "Deleted."}}),
			}),
		},
		Prefix + "/webhooks/{id}/deliveries": obj{
			"get": op("webhooks_deliveries", "A webhook's delivery log", "webhooks:manage", obj{
				"parameters": []obj{pathParam("id", "The webhook.")},
				"responses":  withResponses(errorResponses("404"), obj{"200": resp("The latest 100 deliveries, newest first.", ref("DeliveryList"))}),
			}),
		},
		Prefix + "/webhooks/{id}/deliveries/{delivery}/redeliver": obj{
			"post": op("webhooks_redeliver", "Deliver again, with the same webhook-id", "webhooks:manage", obj{
				"parameters": []obj{pathParam("id", "The webhook."), pathParam("delivery", "The delivery."), idempotencyKey},
				"responses":  withResponses(errorResponses("404", "409"), obj{"202": resp("Queued.", ref("Redelivery"))}),
			}),
		},
	}
	return obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":   "masthead Admin API",
			"version": "1.0.0",
			"description": "Write access for integrations: wire desks, apps, automations. Authenticate with an integration's admin key " +
				"(`Authorization: Bearer mhk_...`, made by `masthead integration add` or in the newsroom). Every POST may carry an " +
				"Idempotency-Key: a retry with the same key and body gets the first answer (header Idempotent-Replayed: true) and the " +
				"work is done once. Errors are always `{\"error\": {\"code\", \"message\", \"field\"}}`.",
			"license": obj{"name": "Proprietary", "identifier": "LicenseRef-masthead"},
		},
		"servers": []obj{{"url": strings.TrimRight(serverURL, "/"), "description": "This paper."}},
		"tags":    []obj{{"name": "webhooks", "description": "Event subscriptions and their delivery log."}},
		"paths":   paths,
		"webhooks": obj{
			"event": obj{"post": obj{
				"operationId": "event_delivery",
				// The receiver checks the signature, not a credential.
				"security":    []obj{},
				"summary":     "A delivery to a subscribed URL",
				"description": "Signed with Standard Webhooks headers; retried after about 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, then hourly for 24 h with the same webhook-id until the receiver answers 2xx.",
				"parameters": []obj{
					{"name": "webhook-id", "in": "header", "required": true, "schema": obj{"type": "string"}},
					{"name": "webhook-timestamp", "in": "header", "required": true, "schema": obj{"type": "string"}, "description": "Unix seconds."},
					{"name": "webhook-signature", "in": "header", "required": true, "schema": obj{"type": "string"}, "description": "v1,BASE64(HMAC-SHA256)."},
				},
				"requestBody": withResponses(obj{"required": true}, jsonBody(ref("WebhookPayload"))),
				"responses":   obj{"2XX": obj{"description": "Received; any other answer is retried."}},
			}},
		},
		"components": obj{
			"schemas": schemas,
			"securitySchemes": obj{"adminKey": obj{"type": "http", "scheme": "bearer",
				"description": "An integration's admin key (mhk_ and 48 hex characters)."}},
			"parameters": obj{"IdempotencyKey": obj{"name": "Idempotency-Key", "in": "header", "required": false,
				"description": "Any string of 1 to 255 characters, unique per request you mean to make once. Answers are kept 24 hours.",
				"schema":      obj{"type": "string", "minLength": 1, "maxLength": 255}}},
		},
	}
}

// doc is the document as served, made on first request.
type doc struct {
	once sync.Once
	json []byte
}

func (a *API) openapi(w http.ResponseWriter, r *http.Request) {
	a.doc.once.Do(func() {
		base := ""
		if a.cfg.Paper != nil {
			base = a.cfg.Paper.BaseURL
		}
		a.doc.json, _ = json.MarshalIndent(Document(base), "", "  ")
	})
	docJSON := a.doc.json
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(docJSON)
}
