#!/usr/bin/python3
"""A tiny inference-server stand-in for tests/detect-server.t.

    detect_server.py MODE PORTFILE

Listens on 127.0.0.1 (a free port, written to PORTFILE once listening) and
answers like one kind of server:

  ollama   /api/version and /api/tags, as Ollama does
  openai   404 on /api/*, /v1/models and /props, as llama.cpp's llama-server
  vllm     404 on /api/*, /v1/models and /version, as vLLM
  notags   Ollama whose /api/tags fails with HTTP 500
  none     404 on everything (a web server that is no inference server)
  odd      JSON answers that are neither Ollama's nor OpenAI's
  slow     sleeps 5 s before answering anything
"""
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

MODE = sys.argv[1]

OLLAMA_TAGS = {
    "models": [
        {
            "name": "qwen2.5:3b",
            "model": "qwen2.5:3b",
            "modified_at": "2025-01-10T12:00:00Z",
            "size": 1929912432,
            "digest": "357c53fb659c5076de1d65ccb0b397446227b71a42be9d1603d46168015c9e4b",
            "details": {"format": "gguf", "family": "qwen2", "parameter_size": "3.1B",
                        "quantization_level": "Q4_K_M"},
        },
        {
            "name": "gemma3:1b",
            "model": "gemma3:1b",
            "size": 815319791,
            "digest": "8648f39daa8fbf5b18c7b4e6a8fb4990c692751d49917417b8842ca5758e7ffc",
        },
    ]
}

ROUTES = {
    "ollama": {
        "/api/version": (200, {"version": "0.5.7"}),
        "/api/tags": (200, OLLAMA_TAGS),
    },
    "notags": {
        "/api/version": (200, {"version": "0.5.7"}),
        "/api/tags": (500, {"error": "internal"}),
    },
    "openai": {
        "/v1/models": (200, {"object": "list", "data": [
            {"id": "tiny-model.gguf", "object": "model", "created": 1736500000,
             "owned_by": "llamacpp", "meta": {"n_params": 1000}}]}),
        "/props": (200, {"build_info": "b4500-1a2b3c4d", "total_slots": 1}),
    },
    "vllm": {
        "/v1/models": (200, {"object": "list", "data": [
            {"id": "Qwen/Qwen2.5-3B-Instruct", "object": "model", "owned_by": "vllm"}]}),
        "/version": (200, {"version": "0.6.3"}),
    },
    "none": {},
    "odd": {
        "/api/version": (200, {"name": "something else"}),
        "/v1/models": (200, {"models": []}),
    },
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if MODE == "slow":
            time.sleep(5)
        code, body = ROUTES.get(MODE, {}).get(self.path, (404, {"error": "not found"}))
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
# Renamed into place so the reader never sees half a port number.
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
