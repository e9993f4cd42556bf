#!/usr/bin/env python3
"""A fake OpenAI-compatible chat-completions server for millrace's llm tests (standard library only).

POST /v1/chat/completions answers deterministically: the reply is a JSON object with the fields the
system message asks for ("...with the fields: a, b."), each "<field>:<first 8 hex of sha1(user)>",
but "score" from a [[score=X]] marker (default 0.5). Faults are chosen by markers in the user
message; "first N" faults count attempts per distinct user message:
  [[429]]        first attempt: 429 with Retry-After: 1        [[500]]     first 2 attempts: 500
  [[always500]]  always 500                                    [[slow]]    first attempt sleeps 3 s
  [[hang]]       sleeps 30 s                                   [[drop]]    first attempt: connection closed, no reply
  [[malformed]]  body is not JSON                              [[missing]] the reply lacks its last field
  [[badscore]]   score is "high"                               [[delay=MS]] sleeps MS ms first
  [[echo-auth]]  400 whose body quotes the Authorization header
  [[quality=X]]  every text field of the reply ends with " [[score=X]]": a judge asked about it
                 later scores X (stands in for how good the answers a prompt gets are)
GET /stats returns {"attempts": {user: n}, "times": {user: [t...]}, "auth_ok": bool, "total": n,
"max_in_flight": n} ([[track]] requests only; PUT /reset-max zeroes it).
Usage: fake_openai_server.py --port-file FILE --key KEY (port 0: a free one, written to FILE).
"""
import argparse, hashlib, json, re, socket, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
attempts, times = {}, {}
state = {"auth_ok": True, "total": 0, "in_flight": 0, "max_in_flight": 0}
KEY = ""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):  # quiet
        pass

    def send(self, code, body, headers=()):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):  # /reset-max
        with lock:
            state["max_in_flight"] = 0
        self.send(200, "{}")

    def do_GET(self):
        with lock:
            self.send(200, json.dumps({"attempts": attempts, "times": times, **state}))

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        req = json.loads(self.rfile.read(n))
        # Only [[track]] requests count towards max_in_flight (other tests' hung requests may linger).
        track = "[[track]]" in req["messages"][-1]["content"]
        with lock:
            state["in_flight"] += track
            state["max_in_flight"] = max(state["max_in_flight"], state["in_flight"])
        try:
            self.answer(req)
        finally:
            with lock:
                state["in_flight"] -= track

    def answer(self, req):
        msgs = req["messages"]
        system = next((m["content"] for m in msgs if m["role"] == "system"), "")
        user = msgs[-1]["content"]
        auth = self.headers.get("Authorization", "")
        with lock:
            k = attempts.get(user, 0) + 1
            attempts[user] = k
            times.setdefault(user, []).append(time.monotonic())
            state["total"] += 1
            if KEY and auth != "Bearer " + KEY:
                state["auth_ok"] = False
        m = re.search(r"\[\[delay=(\d+)\]\]", user)
        if m:
            time.sleep(int(m.group(1)) / 1000)
        if "[[429]]" in user and k == 1:
            return self.send(429, '{"error":"rate limited"}', [("Retry-After", "1")])
        if "[[500]]" in user and k <= 2 or "[[always500]]" in user:
            return self.send(500, '{"error":"boom"}')
        if "[[echo-auth]]" in user:
            return self.send(400, json.dumps({"error": "bad request", "auth": auth}))
        if "[[slow]]" in user and k == 1:
            time.sleep(3)
        if "[[hang]]" in user:
            time.sleep(30)
        if "[[drop]]" in user and k == 1:
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if "[[malformed]]" in user:
            return self.send(200, '{"choices": [{"message": {"content": "not json')
        fm = re.search(r"with the fields: (.*)\.", system)
        fields = [f.strip() for f in fm.group(1).split(",")] if fm else []
        if "[[missing]]" in user and fields:
            fields = fields[:-1]
        h = hashlib.sha1(user.encode()).hexdigest()[:8]
        out = {}
        for f in fields:
            if f == "score":
                sm = re.search(r"\[\[score=([0-9.]+)\]\]", user)
                out[f] = "high" if "[[badscore]]" in user else float(sm.group(1)) if sm else 0.5
            else:
                out[f] = f"{f}:{h}"
                qm = re.search(r"\[\[quality=([0-9.]+)\]\]", user)
                if qm:
                    out[f] += f" [[score={qm.group(1)}]]"
        content = json.dumps(out, sort_keys=True)
        reply = {"id": "fake-" + h, "object": "chat.completion", "model": req.get("model", ""),
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                              "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": len(user.split()), "completion_tokens": len(fields) * 3,
                           "total_tokens": len(user.split()) + len(fields) * 3}}
        self.send(200, json.dumps(reply))


def main():
    global KEY
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--key", default="")
    a = ap.parse_args()
    KEY = a.key
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.replace(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
