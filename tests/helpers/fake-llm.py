#!/usr/bin/python3
"""fake-llm.py - a small LLM server for puma-infer's tests, on 127.0.0.1.

It speaks Ollama's native API (GET /api/version, GET /api/tags,
POST /api/generate) and the OpenAI one (GET /v1/models,
POST /v1/chat/completions), checks that requests have the documented
shape, and misbehaves on request: a prompt holding "FAULT:<what>" gets

  status-<code>-x<n>    HTTP <code> for the first n attempts (n "all": always), then an answer
  retry-after-<s>       503 with "Retry-After: <s>" on the first attempt, then an answer
  slow-<ms>             the answer after <ms> milliseconds, every attempt
  delay-<ms>            the same (a slow model rather than a fault)
  cut                   200 promising more body than it sends, then the connection closes
  truncated             200 whose body is JSON cut off in the middle
  invalid               200 whose body is not JSON
  nofield               200 JSON without the answer field
  model404              404 "model not found"
  echoauth              401 quoting the Authorization header back (as some servers do)
  die                   no answer: the server closes the connection and shuts down
  huge-<n>              200 with a valid answer of <n> bytes
  neglatency            an answer whose durations are negative
  fractokens            an answer whose token counts are not whole numbers
  hugetokens            an answer whose token counts are absurd (1e15)

A request asking a model to think (Ollama "think": true, OpenAI
"chat_template_kwargs": {"enable_thinking": true}) gets its reasoning
apart, as Ollama's "thinking" or OpenAI's "reasoning_content", and the
reasoning's tokens first in the logprobs.

Attempts are counted per prompt.  A normal answer is deterministic:
"<label> n=<prompt bytes> sha=<sha256 of the prompt>", where the label is
picked from the prompt's hash.  GET /_stats returns the counters (requests,
connections, attempts and their times per prompt hash, Authorization
headers seen, the paths asked without one ("noauth"), and unload requests:
no prompt, keep_alive 0).

usage: fake-llm.py [--model NAME] [--digest HEX] [--version V] [--openai-owner OWNER]
The port is printed on stdout once the server listens.
"""
import argparse
import hashlib
import json
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

from loopback import serve

LABELS = ["Critical", "Major", "Minor", "Trivial"]
FAULT = re.compile(r"FAULT:([a-z0-9-]+)")

lock = threading.Lock()
stats = {"requests": 0, "connections": 0, "attempts": {}, "times": {}, "auth": [], "bodies": 0,
         "unloads": 0, "noauth": []}
args = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's
        # algorithm and delayed ACKs add 40 ms to every answer.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with lock:
            stats["connections"] += 1

    def log_message(self, fmt, *a):
        pass

    def send_json(self, code, obj, headers=None):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_raw(self, code, body, length=None):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def error(self, code, msg, openai):
        if openai:
            self.send_json(code, {"error": {"code": code, "message": msg, "type": "server_error"}})
        else:
            self.send_json(code, {"error": msg})

    def do_GET(self):
        with lock:
            if self.headers.get("Authorization"):
                stats["auth"].append(self.headers["Authorization"])
            elif self.path != "/_stats":
                stats["noauth"].append("GET " + self.path)
        if self.path == "/api/version":
            self.send_json(200, {"version": args.version})
        elif self.path == "/api/tags":
            self.send_json(200, {"models": [{
                "name": args.model, "model": args.model, "size": 1234,
                "digest": args.digest,
                "details": {"format": "gguf", "family": "fake", "parameter_size": "1M",
                            "quantization_level": "Q4_K_M"}}]})
        elif self.path == "/v1/models":
            self.send_json(200, {"object": "list", "data": [
                {"id": args.model, "object": "model", "owned_by": args.openai_owner,
                 "meta": {"ftype": "Q4_K_M"}}]})
        elif self.path == "/props":
            self.send_json(200, {"build_info": "fake-1"})
        elif self.path == "/_stats":
            with lock:
                self.send_json(200, stats)
        else:
            self.send_json(404, {"error": "no such path"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        openai = self.path == "/v1/chat/completions"
        with lock:
            stats["bodies"] += 1
            if self.headers.get("Authorization"):
                stats["auth"].append(self.headers["Authorization"])
            else:
                stats["noauth"].append("POST " + self.path)
        try:
            req = json.loads(raw)
        except ValueError:
            return self.error(400, "body is not JSON", openai)
        if self.path == "/api/generate" and "prompt" not in req and req.get("keep_alive") == 0:
            # Ollama's unload request: no prompt, keep_alive 0.
            if req.get("model") != args.model:
                return self.error(404, "model \"%s\" not found" % req.get("model"), False)
            with lock:
                stats["unloads"] += 1
            return self.send_json(200, {"model": args.model, "created_at": "2026-01-01T00:00:00Z",
                                        "response": "", "done": True, "done_reason": "unload"})
        if self.path == "/api/generate":
            prompt = req.get("prompt")
            opts = req.get("options")
            # Ollama reads sampling settings only inside "options".
            if not isinstance(prompt, str) or req.get("stream") is not False or \
                    not isinstance(opts, dict) or "temperature" in req or "seed" in req:
                return self.error(400, "bad request shape: %s" % sorted(req), openai)
        elif openai:
            msgs = req.get("messages")
            if not isinstance(msgs, list) or not msgs or "options" in req:
                return self.error(400, "'messages' is required", openai)
            prompt = msgs[-1].get("content")
            if args.openai_owner == "llamacpp" and req.get("cache_prompt") is not False:
                return self.error(400, "expected cache_prompt:false", openai)
        else:
            return self.send_json(404, {"error": "no such path"})
        if req.get("model") != args.model:
            return self.error(404, "model '%s' not found" % req.get("model"), openai)

        sha = hashlib.sha256(prompt.encode()).hexdigest()
        with lock:
            stats["requests"] += 1
            attempt = stats["attempts"].get(sha, 0) + 1
            stats["attempts"][sha] = attempt
            stats["times"].setdefault(sha, []).append(time.monotonic())
        m = FAULT.search(prompt)
        fault = m.group(1) if m else ""
        st = re.fullmatch(r"status-(\d+)-x(\d+|all)", fault)
        if st and (st.group(2) == "all" or attempt <= int(st.group(2))):
            return self.error(int(st.group(1)), "fault %s on attempt %d" % (fault, attempt), openai)
        ra = re.fullmatch(r"retry-after-(\d+)", fault)
        if ra and attempt == 1:
            body = json.dumps({"error": "busy, come back later"}).encode()
            self.send_response(503)
            self.send_header("Retry-After", ra.group(1))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        sl = re.fullmatch(r"(?:slow|delay)-(\d+)", fault)
        if sl:
            time.sleep(int(sl.group(1)) / 1000.0)
        if fault == "cut":
            self.send_raw(200, b'{"response":"Maj', length=200)
            self.wfile.flush()
            self.close_connection = True
            return
        if fault == "truncated":
            return self.send_raw(200, b'{"model":"m","response":"Maj')
        if fault == "invalid":
            return self.send_raw(200, b"<html>Internal proxy page</html>")
        if fault == "nofield":
            return self.send_json(200, {"done": True} if not openai else {"choices": []})
        if fault == "model404":
            return self.error(404, "model \"%s\" not found, try pulling it first" % args.model,
                              openai)
        if fault == "echoauth":
            return self.error(401, "invalid key: %s" % self.headers.get("Authorization"), openai)
        if fault.startswith("huge-"):
            n = int(fault[5:])
            pad = max(0, n - 60)
            body = ('{"model":"%s","response":"Major %s","done":true}' % (args.model, "x" * pad)).encode()
            return self.send_raw(200, body)
        if fault == "die":
            self.close_connection = True
            threading.Thread(target=self.server.shutdown).start()
            return

        label = LABELS[int(sha, 16) % len(LABELS)]
        text = "%s n=%d sha=%s" % (label, len(prompt.encode()), sha)
        words = text.split(" ")
        toks = [w if i == 0 else " " + w for i, w in enumerate(words)]
        think = req.get("think") is True or \
            (req.get("chat_template_kwargs") or {}).get("enable_thinking") is True
        thinking = "Is it %s or %s?" % (LABELS[(int(sha, 16) + 1) % 4], label)
        if think:
            toks = ["Is", " it", " %s" % LABELS[(int(sha, 16) + 1) % 4], " or", " %s?" % label] + toks
        want_lp = req.get("logprobs") is True
        k = req.get("top_logprobs", 0) if want_lp else 0
        lps = []
        for i, t in enumerate(toks):
            lp = -0.125 * (i + 1)
            alts = [{"token": t, "logprob": lp}] + \
                [{"token": "alt%d" % j, "logprob": lp - j - 1.5} for j in range(max(0, k - 1))]
            lps.append({"token": t, "logprob": lp, "bytes": list(t.encode()),
                        "top_logprobs": alts[:k]})
        if openai:
            out = {"id": "chatcmpl-1", "object": "chat.completion", "model": args.model,
                   "choices": [{"index": 0, "finish_reason": "stop",
                                "message": {"role": "assistant", "content": text}}],
                   "usage": {"prompt_tokens": len(prompt.split()),
                             "completion_tokens": len(toks), "total_tokens": 0}}
            if want_lp:
                out["choices"][0]["logprobs"] = {"content": lps}
            if think:
                out["choices"][0]["message"]["reasoning_content"] = thinking
        else:
            out = {"model": args.model, "created_at": "2025-01-01T00:00:00Z", "response": text,
                   "done": True, "done_reason": "stop", "total_duration": 1500000,
                   "prompt_eval_count": len(prompt.split()), "prompt_eval_duration": 250000,
                   "eval_count": len(toks), "eval_duration": 1000000}
            if want_lp:
                out["logprobs"] = lps
            if think:
                out["thinking"] = thinking
        if fault == "neglatency":
            if openai:
                out["timings"] = {"prompt_ms": -5.0, "predicted_ms": -12.5}
            else:
                out["total_duration"] = -1500000
                out["eval_duration"] = -1000000
        elif fault in ("fractokens", "hugetokens"):
            v = 2.5 if fault == "fractokens" else 1e15
            if openai:
                out["usage"]["completion_tokens"] = v
            else:
                out["eval_count"] = v
        self.send_json(200, out)


def main():
    global args, server
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="fake:1b")
    ap.add_argument("--digest", default="a" * 64)
    ap.add_argument("--version", default="0.12.11")
    ap.add_argument("--openai-owner", default="fake")
    args = ap.parse_args()
    serve(Handler)


if __name__ == "__main__":
    sys.exit(main())
