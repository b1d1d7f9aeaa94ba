"""A coding agent's view of Parit's MCP server, through the official MCP Python
SDK (PyPI `mcp`, pinned in tests/python-requirements.lock) and its Streamable
HTTP client, against a running fleet. tests/fleet/tests/mcp.rs starts it with:

  MCP_URL            the supervisor's /mcp
  MCP_TOKEN          the project owner's bearer token
  MCP_OTHER_TOKEN    another owner's token
  MCP_PROJECT        a project of MCP_TOKEN's owner whose run has completed

It connects in both eras the SDK speaks (the 2026-07-28 revision, found by
`server/discover`, and the `initialize` handshake), and asserts what an agent
would see. Exit 0 and a last line "N passed, 0 failed" when every check holds.
"""

import asyncio
import json
import os
import sys
import uuid

import httpx2
from jsonschema import Draft202012Validator
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

URL = os.environ["MCP_URL"]
TOKEN = os.environ["MCP_TOKEN"]
OTHER = os.environ["MCP_OTHER_TOKEN"]
PROJECT = os.environ["MCP_PROJECT"]

passed = 0


def check(what, ok, detail=""):
    global passed
    if not ok:
        print(f"FAILED: {what} {detail}"[:2000])
        print(f"{passed} passed, 1 failed")
        sys.exit(1)
    passed += 1
    print(f"ok: {what}")


def connect(token, mode="auto"):
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=60)
    return Client(streamable_http_client(URL, http_client=http), mode=mode)


def data(result):
    """The tool's structured answer (and its text agrees)."""
    check("the tool answered without error", not result.is_error, str(result.content)[:500])
    text = json.loads(result.content[0].text)
    check("text and structured content agree", text == result.structured_content)
    return result.structured_content


def error_text(result):
    check("the tool answered an error", result.is_error, str(result.structured_content)[:500])
    return result.content[0].text


async def as_owner(mode):
    async with connect(TOKEN, mode) as client:
        tools = (await client.list_tools()).tools
        names = [t.name for t in tools]
        check(f"[{mode}] six tools listed", names == ["list_projects", "get_artifact", "get_item", "trace_story", "plan_change", "check_drift"], names)
        for t in tools:
            Draft202012Validator.check_schema(t.input_schema)
        check(f"[{mode}] every input schema is valid JSON Schema 2020-12", True)

        projects = data(await client.call_tool("list_projects", {}))["projects"]
        check(f"[{mode}] list_projects has the project", PROJECT in [p["id"] for p in projects], projects)

        prd = data(await client.call_tool("get_artifact", {"project": PROJECT, "stage": "prd"}))
        stories = prd["artifact"]["userStories"]
        check(f"[{mode}] get_artifact gives the PRD's stories by id", len(stories) > 0 and all(s["id"].startswith("US-") for s in stories))
        api = data(await client.call_tool("get_artifact", {"project": PROJECT, "stage": "api", "version": 1}))
        check(f"[{mode}] get_artifact takes a version", api["version"] == 1 and api["stage"] == "api", api.get("version"))

        story = stories[-1]
        item = data(await client.call_tool("get_item", {"project": PROJECT, "id": story["id"]}))
        check(f"[{mode}] get_item finds {story['id']} where it sits",
              item["item"] == story and item["stage"] == "prd" and item["path"] == f"$.userStories[{len(stories) - 1}]", item)
        endpoint = api["artifact"]["endpoints"][0]
        item = data(await client.call_tool("get_item", {"project": PROJECT, "id": endpoint["id"]}))
        check(f"[{mode}] get_item finds {endpoint['id']}", item["item"] == endpoint and item["path"] == "$.endpoints[0]", item)
        missing = error_text(await client.call_tool("get_item", {"project": PROJECT, "id": "US-9999"}))
        check(f"[{mode}] a missing id names the ids there are", "US-9999" in missing and story["id"] in missing, missing)

        served = [e for e in api["artifact"]["endpoints"] if e["userStories"]]
        target = served[0]["userStories"][0]
        traced = data(await client.call_tool("trace_story", {"project": PROJECT, "story": target}))
        want = sorted(e["id"] for e in api["artifact"]["endpoints"] if target in e["userStories"])
        got = sorted(e["id"] for e in traced["endpoints"])
        check(f"[{mode}] trace_story {target} reaches its endpoints", got == want, (got, want))
        criteria = next(s for s in stories if s["id"] == target)["acceptanceCriteria"]
        check(f"[{mode}] trace_story gives the acceptance criteria", traced["story"]["acceptanceCriteria"] == criteria)
        check(f"[{mode}] trace_story names the entities", {e["entity"] for e in api["artifact"]["endpoints"] if target in e["userStories"]} == {e["name"] for e in traced["entities"]}, traced["entities"])
        check(f"[{mode}] trace_story finds starter files calling them",
              all(c["endpoint"] in want for f in traced["files"] for c in f["calls"]) and len(traced["files"]) > 0, traced["files"])

        plan = data(await client.call_tool("plan_change", {"project": PROJECT, "regenerate": "api"}))
        check(f"[{mode}] plan_change plans a regeneration", "api" in json.dumps(plan), plan)

        drift = await client.call_tool("check_drift", {"project": PROJECT, "sql": "CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"})
        if drift.is_error:
            # Without the drift route (branch h/drift) the API says so, as an error the agent can read.
            check(f"[{mode}] check_drift reports the API's answer", "drift" in drift.content[0].text or "route" in drift.content[0].text, drift.content[0].text)
        else:
            body = drift.structured_content
            check(f"[{mode}] check_drift: the repository is not in step", body["inStep"] is False and any(d["id"].lower() == "note" for d in body["differences"]), body)

        bad = error_text(await client.call_tool("get_artifact", {"project": PROJECT, "stage": "nope"}))
        check(f"[{mode}] a bad argument is a tool error", "not a stage" in bad, bad)
        try:
            await client.call_tool("no_such_tool", {})
            check(f"[{mode}] an unknown tool is refused", False)
        except MCPError as e:
            check(f"[{mode}] an unknown tool is invalid params", e.error.code == -32602, e.error)

        resources = (await client.list_resources()).resources
        mine = [r for r in resources if str(r.uri).startswith(f"parit://projects/{PROJECT}/handoff/")]
        agents = [r for r in mine if str(r.uri).endswith("/agents-md/AGENTS.md")]
        check(f"[{mode}] the hand-off files are resources", len(agents) == 1 and any("/kiro/" in str(r.uri) for r in mine), [str(r.uri) for r in mine][:10])
        check(f"[{mode}] AGENTS.md is Markdown", agents[0].mime_type == "text/markdown")
        read = await client.read_resource(agents[0].uri)
        text = read.contents[0].text
        check(f"[{mode}] AGENTS.md reads and names the stories", story["id"] in text or story["title"] in text, text[:300])
        templates = (await client.list_resource_templates()).resource_templates
        check(f"[{mode}] a resource template", templates[0].uri_template == "parit://projects/{project}/handoff/{layout}/{+path}")
        try:
            await client.read_resource(f"parit://projects/{PROJECT}/handoff/kiro/no-such-file.md")
            check(f"[{mode}] a missing resource is refused", False)
        except MCPError as e:
            check(f"[{mode}] a missing resource is -32602", e.error.code == -32602, e.error)


async def as_other_owner():
    async with connect(OTHER) as client:
        missing = str(uuid.uuid4())
        theirs = error_text(await client.call_tool("trace_story", {"project": PROJECT, "story": "US-1"}))
        absent = error_text(await client.call_tool("trace_story", {"project": missing, "story": "US-1"}))
        # The same words, each naming the id asked for.
        check("another owner's project is answered as a missing one",
              theirs.replace(PROJECT, "<id>") == absent.replace(missing, "<id>") and PROJECT in theirs, (theirs, absent))
        projects = data(await client.call_tool("list_projects", {}))["projects"]
        check("another owner does not list the project", PROJECT not in [p["id"] for p in projects])
        try:
            await client.read_resource(f"parit://projects/{PROJECT}/handoff/agents-md/AGENTS.md")
            check("another owner cannot read the hand-off", False)
        except MCPError as e:
            check("another owner's resource is not found", e.error.code == -32602, e.error)


async def wrong_token():
    try:
        async with connect("not-a-token-" + uuid.uuid4().hex) as client:
            await client.list_tools()
        check("a wrong token is refused", False)
    except Exception as e:  # the SDK surfaces the 401's JSON-RPC error at connect
        text = repr(e)
        check("a wrong token is refused with the 401's JSON-RPC error", "-32001" in text and "unknown or revoked" in text, text[:500])


async def main():
    await as_owner("auto")
    await as_owner("legacy")
    await as_other_owner()
    await wrong_token()
    print(f"{passed} passed, 0 failed")


asyncio.run(main())
