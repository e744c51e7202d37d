#!/usr/bin/python3
"""ollama-proxy.py - Ollama's native API in front of a real llama-server.

For puma-infer's tests: Ollama itself cannot be installed here, so this
server answers GET /api/version, GET /api/tags and POST /api/generate
(non-streamed) as Ollama documents them, and gets every answer from a real
llama.cpp llama-server underneath (POST /v1/chat/completions with the
prompt as the user message, cache_prompt false), so the Ollama path sees
real model output and real logprobs.

  /api/tags     the one model NAME, its digest (sha256 of the GGUF file),
                details with the quantisation llama-server reports
  /api/generate model, prompt, stream:false, options {temperature, seed,
                num_predict, num_ctx}, logprobs, top_logprobs, format (a
                JSON schema, passed on as llama-server's json_schema);
                answers response, done, done_reason, the durations in
                nanoseconds (zero ones left out, as Ollama does), the token
                counts and logprobs [{token, logprob, bytes, top_logprobs}];
                with no prompt and keep_alive 0, an unload, answered as
                Ollama does ({"done": true, "done_reason": "unload"});
                think and truncate are accepted (the tiny model neither
                thinks nor overflows: truncate false is checked against -c)

usage: ollama-proxy.py --upstream URL --model NAME --gguf FILE [--log FILE]
--log appends each POST /api/generate body, as received, one per line.
The port is printed on stdout once the server listens.
"""
import argparse
import hashlib
import json
import socket
import sys
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler

from loopback import serve

args = None
info = {}


def upstream(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(args.upstream + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *a):
        pass

    def send_json(self, code, obj):
        body = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/api/version":
            self.send_json(200, {"version": "0.12.11"})
        elif self.path == "/api/tags":
            self.send_json(200, {"models": [{
                "name": args.model, "model": args.model,
                "modified_at": "2025-01-01T00:00:00Z", "size": info["size"],
                "digest": info["digest"],
                "details": {"parent_model": "", "format": "gguf", "family": "qwen2",
                            "families": ["qwen2"], "parameter_size": info["params"],
                            "quantization_level": info["quant"]}}]})
        else:
            self.send_json(404, {"error": "404 page not found"})

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/api/generate":
            return self.send_json(404, {"error": "404 page not found"})
        if args.log:
            with open(args.log, "ab") as f:
                f.write(raw + b"\n")
        try:
            req = json.loads(raw)
        except ValueError:
            return self.send_json(400, {"error": "invalid JSON"})
        if req.get("model") != args.model:
            return self.send_json(404, {"error": "model '%s' not found" % req.get("model")})
        if "prompt" not in req and req.get("keep_alive") == 0:
            return self.send_json(200, {"model": args.model, "created_at": "2025-01-01T00:00:00Z",
                                        "response": "", "done": True, "done_reason": "unload"})
        if not isinstance(req.get("prompt"), str):
            return self.send_json(400, {"error": "prompt must be a string"})
        if req.get("stream") is not False:
            return self.send_json(400, {"error": "this test server answers only stream:false"})
        opts = req.get("options") or {}
        up = {"messages": [{"role": "user", "content": req["prompt"]}],
              "cache_prompt": False}
        if "temperature" in opts:
            up["temperature"] = opts["temperature"]
        if "seed" in opts:
            up["seed"] = opts["seed"]
        if "num_predict" in opts:
            up["max_tokens"] = opts["num_predict"]
        if req.get("logprobs"):
            up["logprobs"] = True
            up["top_logprobs"] = req.get("top_logprobs", 0)
        if isinstance(req.get("format"), dict):
            up["json_schema"] = req["format"]
        t0 = time.monotonic_ns()
        code, ans = upstream("POST", "/v1/chat/completions", up)
        if code != 200:
            msg = ans.get("error", {}).get("message", "upstream error") \
                if isinstance(ans.get("error"), dict) else str(ans)
            return self.send_json(code, {"error": msg})
        ch = ans["choices"][0]
        usage = ans.get("usage", {})
        tm = ans.get("timings", {})
        out = {"model": args.model, "created_at": "2025-01-01T00:00:00Z",
               "response": ch["message"]["content"], "done": True,
               "done_reason": ch.get("finish_reason"),
               "total_duration": time.monotonic_ns() - t0,
               "prompt_eval_count": usage.get("prompt_tokens"),
               "prompt_eval_duration": int(tm.get("prompt_ms", 0) * 1e6),
               "eval_count": usage.get("completion_tokens"),
               "eval_duration": int(tm.get("predicted_ms", 0) * 1e6)}
        # Ollama leaves zero durations out.
        for k in ("prompt_eval_duration", "eval_duration"):
            if not out[k]:
                del out[k]
        if req.get("logprobs"):
            lp = (ch.get("logprobs") or {}).get("content")
            if lp is not None:
                out["logprobs"] = [
                    {"token": e["token"], "logprob": e["logprob"], "bytes": e.get("bytes"),
                     "top_logprobs": [{"token": t["token"], "logprob": t["logprob"],
                                       "bytes": t.get("bytes")}
                                      for t in e.get("top_logprobs", [])]}
                    for e in lp]
        self.send_json(200, out)


def main():
    global args
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--log")
    args = ap.parse_args()
    h = hashlib.sha256()
    size = 0
    with open(args.gguf, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    info["digest"] = h.hexdigest()
    info["size"] = size
    _, models = upstream("GET", "/v1/models")
    meta = models["data"][0].get("meta", {})
    info["quant"] = meta.get("ftype", "")
    info["params"] = "%.2fM" % (meta.get("n_params", 0) / 1e6)
    serve(Handler)


if __name__ == "__main__":
    sys.exit(main())
