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
		"description": "Needs an admin key with the " + scope + " scope.", "tags": []string{strings.SplitN(id, "_", 2)[0]}}
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
		"Ref": obj{"type": "object", "required": []string{"id", "slug", "name"}, "properties": obj{
			"id": obj{"type": "integer", "format": "int64"}, "slug": obj{"type": "string"}, "name": obj{"type": "string"}}},
		"Photo": obj{
			"type": "object", "required": []string{"id", "url", "width", "height", "caption", "credit", "alt", "focal_x", "focal_y"},
			"properties": obj{
				"id": obj{"type": "integer", "format": "int64"}, "url": obj{"type": "string"},
				"width": obj{"type": "integer"}, "height": obj{"type": "integer"},
				"caption": obj{"type": "string"}, "credit": obj{"type": "string"}, "alt": obj{"type": "string"},
				"focal_x": obj{"type": "number", "minimum": 0, "maximum": 1}, "focal_y": obj{"type": "number", "minimum": 0, "maximum": 1},
			},
		},
		"PhotoPatch": obj{"type": "object", "additionalProperties": false, "properties": obj{
			"caption": obj{"type": "string"}, "credit": obj{"type": "string"}, "alt": obj{"type": "string"},
			"focal_x": obj{"type": "number", "minimum": 0, "maximum": 1}, "focal_y": obj{"type": "number", "minimum": 0, "maximum": 1}}},
		"PhotoUpload": obj{"type": "object", "required": []string{"file"}, "properties": obj{
			"file":    obj{"type": "string", "contentMediaType": "application/octet-stream", "description": "JPEG, PNG or WebP."},
			"caption": obj{"type": "string"}, "credit": obj{"type": "string"}, "alt": obj{"type": "string"},
			"focal_x": obj{"type": "number", "minimum": 0, "maximum": 1}, "focal_y": obj{"type": "number", "minimum": 0, "maximum": 1}}},
		"Story": obj{
			"type": "object", "required": []string{"id", "version", "status", "url", "slug", "headline"},
			"properties": obj{
				"id":            obj{"type": "integer", "format": "int64"},
				"version":       obj{"type": "integer", "format": "int64", "description": "Send it back with a PATCH or a publish."},
				"status":        obj{"type": "string", "enum": []string{"draft", "review", "scheduled", "published", "unpublished"}},
				"url":           obj{"type": "string", "description": "The canonical address; empty until the story has a publication time."},
				"slug":          obj{"type": "string"},
				"headline":      obj{"type": "string"},
				"deck":          obj{"type": "string"},
				"lang":          obj{"type": "string"},
				"section":       obj{"oneOf": []obj{ref("Ref"), {"type": "null"}}},
				"authors":       obj{"type": "array", "items": ref("Ref")},
				"tags":          obj{"type": "array", "items": ref("Ref")},
				"photo":         obj{"oneOf": []obj{ref("Photo"), {"type": "null"}}},
				"published_at":  nullableTime,
				"updated_at":    nullableTime,
				"embargo_until": nullableTime,
				"correction":    obj{"type": "object", "description": "In story.corrected deliveries: the new note."},
				"body_markdown": obj{"type": "string"},
				"body_html":     obj{"type": "string", "description": "Sanitized."},
			},
		},
		"StoryIn": obj{
			"type": "object", "additionalProperties": false,
			"properties": obj{
				"version":         obj{"type": "integer", "format": "int64", "description": "PATCH only, required: the version you are changing. A stale one is a 409 naming the fields changed since."},
				"headline":        obj{"type": "string", "maxLength": 300},
				"deck":            obj{"type": "string", "maxLength": 1000},
				"body_markdown":   obj{"type": "string"},
				"body_html":       obj{"type": "string", "description": "Instead of body_markdown; sanitized."},
				"lang":            obj{"type": "string", "description": "BCP 47."},
				"slug":            obj{"type": "string"},
				"section":         obj{"type": "string", "description": "A section's slug; empty for none."},
				"authors":         obj{"type": "array", "items": obj{"type": "string"}, "maxItems": 10, "description": "Authors' slugs, in byline order."},
				"tags":            obj{"type": "array", "items": obj{"type": "string"}, "maxItems": 30, "description": "Names; new ones are made."},
				"photo_id":        obj{"type": "integer", "format": "int64"},
				"seo_title":       obj{"type": "string"},
				"seo_description": obj{"type": "string"},
				"embargo_until":   obj{"type": "string", "description": "RFC 3339; empty lifts it. Needs stories:publish."},
			},
		},
		"MoveIn": obj{"type": "object", "additionalProperties": false, "properties": obj{
			"version": obj{"type": "integer", "format": "int64", "description": "publish and schedule: the version reviewed; a story changed since is refused (409)."},
			"at":      obj{"type": "string", "format": "date-time", "description": "schedule: when to publish."}}},
		"EmbargoIn": obj{"type": "object", "required": []string{"version"}, "additionalProperties": false, "properties": obj{
			"version": obj{"type": "integer", "format": "int64"},
			"until":   obj{"type": []string{"string", "null"}, "format": "date-time", "description": "null or empty lifts the embargo."}}},
		"CorrectionIn": obj{"type": "object", "required": []string{"kind", "text"}, "additionalProperties": false, "properties": obj{
			"kind": obj{"type": "string", "enum": []string{"correction", "clarification", "update"}},
			"text": obj{"type": "string", "maxLength": 2000}}},
		"Section": obj{"type": "object", "required": []string{"id", "slug", "name", "url"}, "properties": obj{
			"id": obj{"type": "integer", "format": "int64"}, "slug": obj{"type": "string"}, "name": obj{"type": "string"},
			"description": obj{"type": "string"}, "position": obj{"type": "integer"}, "url": obj{"type": "string"}}},
		"Author": obj{"type": "object", "required": []string{"id", "slug", "name", "url"}, "properties": obj{
			"id": obj{"type": "integer", "format": "int64"}, "slug": obj{"type": "string"}, "name": obj{"type": "string"},
			"title": obj{"type": "string"}, "bio": obj{"type": "string"}, "photo_id": obj{"type": "integer", "format": "int64"}, "url": obj{"type": "string"}}},
		"AuthorIn": obj{"type": "object", "required": []string{"name"}, "additionalProperties": false, "properties": obj{
			"name": obj{"type": "string"}, "slug": obj{"type": "string"}, "title": obj{"type": "string"}, "bio": obj{"type": "string"},
			"email": obj{"type": "string", "description": "Never shown to readers."}}},
		"Tag":         obj{"type": "object", "required": []string{"id", "slug", "name", "url"}, "properties": obj{"id": obj{"type": "integer", "format": "int64"}, "slug": obj{"type": "string"}, "name": obj{"type": "string"}, "url": obj{"type": "string"}}},
		"SectionList": obj{"type": "object", "required": []string{"sections"}, "properties": obj{"sections": obj{"type": "array", "items": ref("Section")}}},
		"AuthorList":  obj{"type": "object", "required": []string{"authors"}, "properties": obj{"authors": obj{"type": "array", "items": ref("Author")}}},
		"TagList":     obj{"type": "object", "required": []string{"tags"}, "properties": obj{"tags": obj{"type": "array", "items": ref("Tag")}}},
		"WireResults": obj{"type": "object", "required": []string{"results"}, "properties": obj{"results": obj{"type": "array", "items": obj{
			"type": "object", "required": []string{"uri", "version", "action"},
			"properties": obj{
				"uri":      obj{"type": "string"},
				"version":  obj{"type": "integer"},
				"action":   obj{"type": "string", "enum": []string{"create", "update", "kill", "stale", "held"}},
				"story_id": obj{"type": "integer", "format": "int64"},
				"status":   obj{"type": "string"},
				"note":     obj{"type": "string"},
			}}}}},
		"WebhookPayload": obj{
			"type": "object", "required": []string{"type", "timestamp", "data"},
			"description": "The body of every delivery.",
			"properties":  obj{"type": ref("Event"), "timestamp": obj{"type": "string", "format": "date-time"}, "data": obj{"type": "object"}},
		},
	}
	storyID := pathParam("id", "The story.")
	moveOp := func(id, summary, scope, detail string) obj {
		o := op(id, summary, scope, obj{
			"parameters":  []obj{storyID, idempotencyKey},
			"requestBody": withResponses(obj{"required": false}, jsonBody(ref("MoveIn"))),
			"responses":   withResponses(errorResponses("400", "404", "409"), obj{"200": resp("The story after the move.", ref("Story"))}),
		})
		o["description"] = o["description"].(string) + " " + detail
		return o
	}
	paths := obj{
		Prefix + "/stories": obj{
			"post": op("stories_create", "Start a story (a draft)", "stories:write", obj{
				"parameters":  []obj{idempotencyKey},
				"requestBody": withResponses(obj{"required": true}, jsonBody(ref("StoryIn"))),
				"responses":   withResponses(errorResponses("400", "409", "413"), obj{"201": resp("The draft, with its id and version.", ref("Story"))}),
			}),
		},
		Prefix + "/stories/{id}": obj{
			"get": op("stories_get", "A story, at its current version", "stories:write or stories:publish", obj{
				"parameters": []obj{storyID},
				"responses":  withResponses(errorResponses("404"), obj{"200": resp("The story.", ref("Story"))}),
			}),
			"patch": op("stories_update", "Change a story's fields at the version named", "stories:write", obj{
				"parameters":  []obj{storyID},
				"requestBody": withResponses(obj{"required": true}, jsonBody(ref("StoryIn"))),
				"responses":   withResponses(errorResponses("400", "404", "409", "413"), obj{"200": resp("The story as saved, with its new version.", ref("Story"))}),
			}),
		},
		Prefix + "/stories/{id}/submit":    obj{"post": moveOp("stories_submit", "Send a draft for review", "stories:write", "Draft to review.")},
		Prefix + "/stories/{id}/withdraw":  obj{"post": moveOp("stories_withdraw", "Move a story back to draft", "stories:write", "From review (or, for editors, from the schedule or the site) to draft.")},
		Prefix + "/stories/{id}/publish":   obj{"post": moveOp("stories_publish", "Publish now", "stories:publish", "A story changed after the version sent is refused.")},
		Prefix + "/stories/{id}/schedule":  obj{"post": moveOp("stories_schedule", "Publish at a time", "stories:publish", "Send `at`.")},
		Prefix + "/stories/{id}/unpublish": obj{"post": moveOp("stories_unpublish", "Take a story off the site", "stories:publish", "Its address answers 410 Gone.")},
		Prefix + "/stories/{id}/embargo": obj{
			"post": op("stories_embargo", "Set or lift an embargo", "stories:publish", obj{
				"parameters":  []obj{storyID, idempotencyKey},
				"requestBody": withResponses(obj{"required": true}, jsonBody(ref("EmbargoIn"))),
				"responses":   withResponses(errorResponses("400", "404", "409"), obj{"200": resp("The story.", ref("Story"))}),
			}),
		},
		Prefix + "/stories/{id}/corrections": obj{
			"post": op("stories_correct", "Append a correction, clarification or update", "stories:publish", obj{
				"parameters":  []obj{storyID, idempotencyKey},
				"requestBody": withResponses(obj{"required": true}, jsonBody(ref("CorrectionIn"))),
				"responses":   withResponses(errorResponses("400", "404", "409"), obj{"201": resp("The story with its corrections.", ref("Story"))}),
			}),
		},
		Prefix + "/wire": obj{
			"post": op("wire_ingest", "Send wire copy (IPTC ninjs 2.0)", "stories:write", obj{
				"description": "Needs the stories:write scope. One ninjs object, an array of them, or one a line (application/x-ndjson). " +
					"A story's first version lands in review (published, in a section the paper auto-publishes); later versions by the same uri update it; " +
					"pubstatus canceled or withheld takes it down; a version no later than the paper's changes nothing. Credits and rights are kept.",
				"parameters": []obj{idempotencyKey, {"name": "section", "in": "query", "required": false, "schema": obj{"type": "string"},
					"description": "The section (slug) of items whose subjects name none of the paper's sections."}},
				"requestBody": obj{"required": true, "content": obj{
					"application/json":     obj{"schema": obj{"oneOf": []obj{{"type": "object"}, {"type": "array", "items": obj{"type": "object"}}}}},
					"application/x-ndjson": obj{"schema": obj{"type": "string"}},
				}},
				"responses": withResponses(errorResponses("400", "413"), obj{"200": resp("What each item did.", ref("WireResults"))}),
			}),
		},
		Prefix + "/photos": obj{
			"post": op("photos_upload", "Upload a photo with caption, credit, alt text and focal point", "photos:write", obj{
				"parameters":  []obj{idempotencyKey},
				"requestBody": obj{"required": true, "content": obj{"multipart/form-data": obj{"schema": ref("PhotoUpload")}}},
				"responses":   withResponses(errorResponses("400", "409", "413"), obj{"201": resp("The photo; name its id in a story's photo_id.", ref("Photo"))}),
			}),
		},
		Prefix + "/photos/{id}": obj{
			"get": op("photos_get", "A photo", "stories:write, stories:publish or photos:write", obj{
				"parameters": []obj{pathParam("id", "The photo.")},
				"responses":  withResponses(errorResponses("404"), obj{"200": resp("The photo.", ref("Photo"))}),
			}),
			"patch": op("photos_update", "Change a photo's caption, credit, alt text or focal point", "photos:write", obj{
				"parameters":  []obj{pathParam("id", "The photo.")},
				"requestBody": withResponses(obj{"required": true}, jsonBody(ref("PhotoPatch"))),
				"responses":   withResponses(errorResponses("400", "404"), obj{"200": resp("The photo.", ref("Photo"))}),
			}),
		},
		Prefix + "/sections": obj{
			"get": op("sections_list", "The paper's sections", "stories:write, stories:publish or photos:write", obj{
				"responses": withResponses(errorResponses(), obj{"200": resp("By position.", ref("SectionList"))}),
			}),
		},
		Prefix + "/authors": obj{
			"get": op("authors_list", "The paper's authors", "stories:write, stories:publish or photos:write", obj{
				"responses": withResponses(errorResponses(), obj{"200": resp("By position, then name.", ref("AuthorList"))}),
			}),
			"post": op("authors_create", "Add an author (a byline)", "stories:write", obj{
				"parameters":  []obj{idempotencyKey},
				"requestBody": withResponses(obj{"required": true}, jsonBody(ref("AuthorIn"))),
				"responses":   withResponses(errorResponses("400", "409"), obj{"201": resp("The author.", ref("Author"))}),
			}),
		},
		Prefix + "/tags": obj{
			"get": op("tags_list", "The paper's tags", "stories:write, stories:publish or photos:write", obj{
				"responses": withResponses(errorResponses(), obj{"200": resp("By name.", ref("TagList"))}),
			}),
		},
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
