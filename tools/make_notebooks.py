"""Writes notebooks/*.ipynb from the cell lists below (outputs are made by running them).

Keeping the source here means notebook edits are reviewable diffs; run
``python tools/make_notebooks.py`` after changing it.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

QUICKSTART = [
    (
        "md",
        "# dockmagic quickstart\n\nDocker from a notebook: run, exec, logs, cp, ps, inspect, top, diff, "
        "export and cleanup, against the local engine. Results are objects: `x = %docker ps` keeps the table.",
    ),
    ("code", "%load_ext dockmagic"),
    (
        "md",
        "No registry needed: `%docker lab` builds a small busybox image from this machine's static busybox.",
    ),
    ("code", "%docker lab"),
    (
        "md",
        "## Run\n\nOutput streams into the cell while the container runs; stderr is shown apart (red).",
    ),
    (
        "code",
        "%docker run --rm dockmagic/lab sh -c 'echo hello from a container; echo a warning >&2'",
    ),
    (
        "md",
        "With `%%docker run`, the cell is the command's standard input (the default command is `sh`), "
        "so a cell can be a shell script run in a fresh container:",
    ),
    (
        "code",
        '%%docker run --rm dockmagic/lab\nuname -a\nfor i in 1 2 3; do echo "step $i"; done\nls /bin | wc -l',
    ),
    (
        "code",
        "result = %docker run --rm --no-output dockmagic/lab sh -c 'echo quietly; exit 3'\n"
        "result.exit_code, result.stdout",
    ),
    ("md", "## A long-running container"),
    (
        "code",
        "%docker run -d --name qs-web -l dockmagic.notebook=quickstart -p 127.0.0.1::80 dockmagic/lab "
        "sh -c 'while true; do date; sleep 1; done'",
    ),
    ("code", "%docker ps --filter label=dockmagic.notebook=quickstart"),
    ("code", "%docker exec qs-web sh -c 'echo I am $(hostname); id'"),
    ("code", "%%docker exec qs-web\ncd /tmp\necho data > f.txt\nwc -c f.txt"),
    ("code", "import time\ntime.sleep(1.5)\n%docker logs --tail 2 qs-web"),
    ("md", "## Files in and out"),
    ("code", "%%docker_file qs-web:/tmp/notes.txt\nWritten from a notebook cell.\n"),
    (
        "code",
        "%docker cp qs-web:/tmp/notes.txt notes-copy.txt\nprint(open('notes-copy.txt').read())",
    ),
    ("md", "## Looking inside"),
    ("code", "info = %docker inspect qs-web\ninfo['State']['Status'], info['Config']['Labels']"),
    ("code", "%docker inspect qs-web"),
    ("code", "%docker top qs-web"),
    ("code", "%docker diff qs-web"),
    (
        "code",
        "%docker export -o qs-web.tar qs-web\nimport tarfile\nwith tarfile.open('qs-web.tar') as tar:\n"
        "    print(len(tar.getnames()), 'entries in the export')",
    ),
    ("md", "## Plain Python\n\nEverything a magic does, a helper does too."),
    (
        "code",
        "import dockmagic\ntable = dockmagic.ps(filters={'label': 'dockmagic.notebook=quickstart'})\n"
        "len(table), table['qs-web']['State']",
    ),
    ("code", "table.to_pandas()"),
    ("md", "## Cleanup"),
    (
        "code",
        "%docker rm -f qs-web\nimport os\nfor f in ('notes-copy.txt', 'qs-web.tar'):\n    os.remove(f)",
    ),
]

STATS = [
    (
        "md",
        "# Resource usage: tables, live plots, recorded series\n\nSeveral containers doing different work, "
        "sampled concurrently and plotted. The numbers are the ones `docker stats` shows.",
    ),
    ("code", "%load_ext dockmagic\nimport dockmagic\n%docker lab"),
    (
        "md",
        "Four workloads: a CPU spin held to half a core, a process whose memory grows, and a pair of "
        "containers streaming bytes to each other over the bridge network.",
    ),
    (
        "md",
        "Line magics expand `{name}` and `$name` from the notebook and keep `{{ }}` as written (docker's "
        "`--format` templates); a line whose braces are not Python (this awk program) is left as it is.",
    ),
    (
        "code",
        "L = '-l dockmagic.notebook=stats'\n"
        "%docker run -d --name st-cpu {L} --cpus 0.5 dockmagic/lab sh -c 'while :; do :; done'\n"
        "%docker run -d --name st-mem -l dockmagic.notebook=stats -m 256m dockmagic/lab awk "
        "'BEGIN{while(1){for(i=0;i<60000;i++)a[n++]=i; system(\"sleep 1\")}}'\n"
        "%docker run -d --name st-sink {L} dockmagic/lab sh -c 'while :; do nc -l -p 9000 > /dev/null; done'\n"
        "sink_ip = dockmagic.inspect('st-sink')['NetworkSettings']['IPAddress']\n"
        "%docker run -d --name st-net {L} dockmagic/lab sh -c 'while :; do head -c 2000000 /dev/zero | "
        "nc {sink_ip} 9000; sleep 0.3; done'",
    ),
    (
        "md",
        "A snapshot: every container is sampled at the same time, so this takes as long as one.",
    ),
    ("code", "%docker stats --no-stream st-cpu st-mem st-sink st-net"),
    (
        "md",
        "Record a series for each container at once, then look at it as a summary, a plot or a DataFrame.",
    ),
    (
        "code",
        "series = dockmagic.sample(['st-cpu', 'st-mem', 'st-sink', 'st-net'], duration=8)\nseries",
    ),
    ("code", "series.to_pandas().groupby('container')[['cpu_percent', 'memory']].max()"),
    (
        "md",
        "Live: the plot below is redrawn in place every second while sampling; the last figure stays in the notebook.",
    ),
    ("code", "live = %docker stats --plot --duration 5s st-cpu st-mem st-net"),
    ("md", "`--stats` records a single run and shows its plot with the result."),
    (
        "code",
        "%docker run --rm --stats --no-output dockmagic/lab sh -c 'i=0; while [ $i -lt 800000 ]; do i=$((i+1)); done'",
    ),
    ("md", "## Cleanup"),
    ("code", "%docker rm -f st-cpu st-mem st-sink st-net"),
]

IMAGES = [
    (
        "md",
        "# Images: build, tag, push and pull through a local registry\n\nEverything here works offline: "
        "the base image is built from this machine's static busybox and the registry is Debian's "
        "`docker-registry`, on 127.0.0.1.",
    ),
    ("code", "%load_ext dockmagic\nimport dockmagic\n%docker lab"),
    (
        "md",
        "A registry on loopback, storing into a temporary folder (the engine trusts 127.0.0.0/8 without TLS).",
    ),
    (
        "code",
        "import socket, subprocess, tempfile, time, pathlib\n"
        "store = pathlib.Path(tempfile.mkdtemp())\n"
        "with socket.socket() as s:\n    s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]\n"
        "(store / 'config.yml').write_text(f'version: 0.1\\nlog: {{level: error}}\\n'\n"
        "    f'storage: {{filesystem: {{rootdirectory: {store}/data}}}}\\nhttp: {{addr: 127.0.0.1:{port}}}\\n')\n"
        "registry = subprocess.Popen(['docker-registry', 'serve', str(store / 'config.yml')],\n"
        "                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "time.sleep(1)\nREG = f'127.0.0.1:{port}'\nREG",
    ),
    (
        "md",
        "## Build from a cell\n\nThe cell is the Dockerfile; the build's steps stream into the output and "
        "end with the image id and tag.",
    ),
    (
        "code",
        "%%dockerfile hello-lab:1 --build-arg GREETING=hello --label dockmagic.notebook=images\n"
        'FROM dockmagic/lab\nARG GREETING\nRUN echo "$GREETING from an image built in a notebook" > /motd\n'
        'CMD ["cat", "/motd"]',
    ),
    ("code", "%docker run --rm hello-lab:1"),
    ("code", "%docker history hello-lab:1"),
    ("md", "## Push and pull, with a progress bar per layer"),
    ("code", "%docker tag hello-lab:1 {REG}/lab/hello:1\n%docker push {REG}/lab/hello:1"),
    ("code", "%docker rmi {REG}/lab/hello:1 hello-lab:1\n%docker pull {REG}/lab/hello:1"),
    ("code", "info = %docker image inspect {REG}/lab/hello:1\ninfo['RepoDigests']"),
    ("code", "%docker run --rm {REG}/lab/hello:1"),
    ("md", "## Cleanup"),
    (
        "code",
        "%docker rmi {REG}/lab/hello:1\nregistry.terminate(); registry.wait()\nimport shutil; shutil.rmtree(store)",
    ),
]

SITE_PLAY = """- name: a network for the app
  network: {name: auto-net, labels: {dockmagic.notebook: automation}}
- name: a volume for the site
  volume: {name: auto-site, labels: {dockmagic.notebook: automation}}
- name: the web server
  container:
    name: auto-web
    image: dockmagic/lab
    command: httpd -f -p 8080 -h /www
    volumes: ["auto-site:/www"]
    networks: [auto-net]
    memory: "{{ web_memory }}"
    labels: {dockmagic.notebook: automation}
  register: web
- name: the home page
  copy_into: {container: auto-web, path: /www/index.html, content: "{{ page }}"}
- name: a client on the same network
  container:
    name: auto-client
    image: dockmagic/lab
    command: sleep 3600
    networks: [auto-net]
    labels: {dockmagic.notebook: automation}
"""

COMPOSE_LAB = """\
services:
  web:
    image: dockmagic/lab
    command: sh -c 'mkdir -p /www && echo hello > /www/index.html && httpd -f -p 8080 -h /www'
    healthcheck: {test: "wget -q -O /dev/null localhost:8080", interval: 1s, retries: 10}
    deploy: {resources: {limits: {memory: 64M}}}
    labels: {dockmagic.notebook: automation}
  client:
    image: dockmagic/lab
    command: sleep 3600
    depends_on: {web: {condition: service_healthy}}
    labels: {dockmagic.notebook: automation}
"""

AUTOMATION = [
    (
        "md",
        "# Automation: declare what should exist\n\nA play is a list of tasks, as in Ansible. Each module "
        "compares what exists with what is asked and changes only the difference, reporting `changed` or "
        "`ok`. `--check` reports without changing anything, `--diff` shows what was compared.",
    ),
    (
        "code",
        "%load_ext dockmagic\n%docker lab\npage = '<h1>Hello from a play</h1>\\n'\nweb_memory = '64m'",
    ),
    ("md", "## First run: everything is created"),
    ("code", "%%docker_play\n" + SITE_PLAY),
    ("code", "%docker exec auto-client wget -qO- http://auto-web:8080/"),
    ("md", "## Second run: nothing to do, every task is `ok`"),
    ("code", "%%docker_play\n" + SITE_PLAY),
    (
        "md",
        "## A change, checked first\n\nMore memory for the web server (updated in place, no restart) and "
        "a new page. Check mode shows what would change; then the real run does it.",
    ),
    ("code", "page = '<h1>Hello again</h1>\\n'\nweb_memory = '96m'"),
    ("code", "%%docker_play --check --diff\n" + SITE_PLAY),
    ("code", "%%docker_play --diff\n" + SITE_PLAY),
    ("code", "%docker exec auto-client wget -qO- http://auto-web:8080/"),
    (
        "md",
        "## Graduate to Ansible\n\nThe same play as a playbook for the community.docker collection.",
    ),
    ("code", "%%docker_play --export site.yml\n" + SITE_PLAY),
    ("code", "print(open('site.yml').read())"),
    (
        "md",
        "## A Compose file as a play\n\nA lab's `compose.yaml` runs as it is: its networks, volumes and "
        "services become tasks, named and labelled as Docker Compose names them. The second run changes "
        "nothing; `down` removes what `up` made.",
    ),
    ("code", "%%docker_compose -p auto-lab\n" + COMPOSE_LAB),
    ("code", "%%docker_compose -p auto-lab\n" + COMPOSE_LAB),
    (
        "code",
        "%docker exec auto-lab-client-1 wget -qO- http://web:8080/  # the service's name resolves",
    ),
    ("code", "%%docker_compose -p auto-lab down\n" + COMPOSE_LAB),
    ("md", "## Cleanup, declared too"),
    (
        "code",
        "%%docker_play\n- container: {name: '{{ item }}', state: absent}\n  loop: [auto-client, auto-web]\n"
        "- network: {name: auto-net, state: absent}\n- volume: {name: auto-site, state: absent}",
    ),
    ("code", "import os\nos.remove('site.yml')"),
]


SOCK = "/tmp/dockmagic-lab-demo"
LAB = [
    (
        "md",
        "# A teaching lab on one shared engine\n\n"
        "One instructor, many students, one Docker engine. The lab proxy owns the engine's socket and gives each "
        "student an endpoint of their own. Every request is read whole and passes only if all of it is known "
        "(each parameter and body field in the Engine API spec) and allowed by the instructor's policy: images "
        "from an allowlist, limits on memory, CPUs and processes, no privileged containers, no host namespaces, "
        "no bind mounts outside the allowed folders. Names are resolved to the student's own objects before "
        "anything is forwarded: each student sees only their own containers, networks and volumes.\n\n"
        "Outside a notebook, the same lab is `python -m dockmagic.lab serve --policy lab.yaml`; with "
        "`--hardened` (as root) it runs over an engine of the lab's own that stays safe if the proxy is wrong: "
        "user-namespace remapping, no traffic between containers, one process limit for the class.",
    ),
    ("code", "%load_ext dockmagic"),
    (
        "md",
        "The students' image: `%docker lab` builds a small busybox image from this machine's static busybox, "
        "so the lab needs no registry.",
    ),
    ("code", "%docker lab"),
    (
        "md",
        "## The policy\n\nIt is checked whole when loaded: a wrong key or an impossible limit is one line naming "
        "it. `endpoints` says where each student's socket goes (owner and mode set for that student when "
        "`students` gives a `uid`).",
    ),
    (
        "code",
        f"""%%writefile lab.yaml
students: [ada, grace]
endpoints: {SOCK}/{{student}}.sock
images: ["dockmagic/lab*"]
limits:
  memory: {{default: 128m, max: 512m}}
  cpus: {{default: 0.5, max: 1}}
  pids: {{default: 128, max: 512}}
  containers: 3
ports: 20000-20099""",
    ),
    ("code", "%docker lab serve --policy lab.yaml"),
    (
        "md",
        "## What students type\n\nA student points their notebook at their endpoint once "
        f'(`%config DockerMagics.host = "unix://{SOCK}/ada.sock"`, or `DOCKER_HOST` for the docker CLI) '
        "and then works as usual. Here the instructor's notebook plays both students with `-H`:",
    ),
    (
        "code",
        f"%docker -H unix://{SOCK}/ada.sock run --rm dockmagic/lab "
        "sh -c 'echo hello from ada; cat /sys/fs/cgroup/pids/pids.max'",
    ),
    (
        "code",
        f"%docker -H unix://{SOCK}/ada.sock run -d --name ada-web dockmagic/lab sleep 300\n"
        f"%docker -H unix://{SOCK}/ada.sock ps",
    ),
    (
        "md",
        "Grace does not see Ada's container, and cannot reach it by name, id or through `cp`, `logs` or `exec`: "
        "to her it does not exist.",
    ),
    ("code", f"%docker -H unix://{SOCK}/grace.sock ps -a"),
    (
        "code",
        f'import dockmagic\n\ngrace = dockmagic.Engine("unix://{SOCK}/grace.sock")\n'
        'for attempt in (lambda: dockmagic.logs("ada-web", engine=grace),\n'
        '                lambda: dockmagic.run("dockmagic/lab", "true", privileged=True, engine=grace),\n'
        '                lambda: dockmagic.run("dockmagic/lab", "true", volumes=["/:/host"], engine=grace),\n'
        '                lambda: dockmagic.run("dockmagic/lab", "true", memory="8g", engine=grace)):\n'
        "    try:\n        attempt()\n    except dockmagic.DockerError as refused:\n        print(refused)\n"
        "grace.close()",
    ),
    (
        "md",
        "## The class\n\nOne row per student: containers, running ones, CPU and memory now, last activity, and how "
        "many requests the policy refused.",
    ),
    ("code", "%docker lab status"),
    ("code", "%docker lab status --plot"),
    (
        "md",
        "## Cleaning up\n\n`%docker lab clean STUDENT` removes what a student made; `%docker lab stop` closes "
        "the endpoints.",
    ),
    ("code", "%docker lab clean ada"),
    ("code", '%docker lab stop\nimport os\nos.remove("lab.yaml")'),
]


SWARM_LOOP = 'while true; do echo "$GREETING from $(hostname)"; sleep 2; done'
SWARM = [
    (
        "md",
        "# Swarm: services over many engines\n\n"
        "Every Docker engine can join a swarm: managers keep the desired state, every node runs tasks. A "
        "*service* is a container spec with a number of replicas; the swarm places its tasks on the nodes, "
        "replaces the ones that fail, and rolls out changes a few at a time.\n\n"
        "This notebook makes a swarm of two **practice engines** on this machine (root on Linux): each a "
        "`dockerd` of its own in a network namespace of its own, joined by a wire of their own, so the engine "
        "you use every day is not touched. With real machines, set `M` and `W` to their addresses "
        "(`ssh://you@node1`, `tcp://...` or a context name) and skip the first cell.",
    ),
    (
        "code",
        "from tools.extra_engines import ExtraEngine, link  # this repository's practice engines\n"
        'manager, worker = ExtraEngine("nb1", "10.247.0.0/16"), ExtraEngine("nb2", "10.248.0.0/16")\n'
        "for each in (manager, worker):\n"
        "    each.start()\n"
        'link(manager, worker, "10.253.0")  # manager 10.253.0.1, worker 10.253.0.2\n'
        "M, W = manager.url, worker.url",
    ),
    (
        "code",
        "%load_ext dockmagic\nimport dockmagic\nfor url in (M, W):  # an image on each node (no registry here)\n"
        '    dockmagic.lab_image("dockmagic/lab", engine=dockmagic.Engine(url))',
    ),
    (
        "md",
        "## Making the swarm\n\n`swarm init` makes the first manager and prints the command that joins others; "
        "`join-token -q` gives the token alone, to pass on.",
    ),
    ("code", "%docker --host $M swarm init --advertise-addr 10.253.0.1"),
    (
        "code",
        "token = %docker --host $M swarm join-token -q worker\n"
        "%docker --host $W swarm join --token {token.strip()} 10.253.0.1",
    ),
    (
        "code",
        "%config DockerMagics.host = M  # from here on, every %docker talks to the manager\n%docker node ls",
    ),
    (
        "md",
        "## A service of six\n\n`service create` takes the CLI's flags (container ones as `%docker run` reads "
        "them) and waits until the tasks run, as the CLI does without `-d`.",
    ),
    (
        "code",
        "%docker service create --name hello --replicas 6 --stop-grace-period 1s -e GREETING=hi dockmagic/lab "
        f"sh -c '{SWARM_LOOP}'",
    ),
    ("code", "%docker service ps hello"),
    ("code", "%docker service logs --tail 1 hello"),
    (
        "md",
        "## Changing it\n\nA rolling update replaces the tasks as its policy says; `rollback` returns to the "
        "spec before; `scale` changes the count.",
    ),
    ("code", "%docker service update --env-add GREETING=hello --update-parallelism 3 hello"),
    ("code", "%docker service scale hello=2\n%docker service ls"),
    (
        "md",
        "## Where the tasks run, and what they use\n\n`service stats` samples each task on its own node's engine: "
        "the manager's, and the ones given with `--engines`.",
    ),
    ("code", "%docker service stats hello --engines $W"),
    (
        "md",
        "## As a play\n\nThe `service` module takes community.docker's `docker_swarm_service` arguments; a second "
        "run changes nothing, and `--export` writes a playbook Ansible runs unchanged.",
    ),
    (
        "code",
        "%%docker_play\n- service:\n    name: hello\n    image: dockmagic/lab\n    args: [sh, -c, 'sleep 600']\n"
        "    replicas: 4\n    limits: {memory: 64M}\n    update_config: {parallelism: 2}\n    stop_grace_period: 1s",
    ),
    ("code", "%docker service rm hello"),
    (
        "md",
        "## A stack: a Compose file on the swarm\n\n`stack deploy` makes what the file describes, named and "
        "labelled as `docker stack deploy` would (`shop_web`, `shop_default`): the CLI sees the same stack. "
        "Deploying again updates it in place.",
    ),
    (
        "code",
        "%%docker stack deploy --resolve-image never shop\nservices:\n  web:\n    image: dockmagic/lab\n"
        "    command: sleep 600\n    deploy: {replicas: 3, resources: {limits: {memory: 32M}}}\n"
        "    stop_grace_period: 1s\n  cache:\n    image: dockmagic/lab\n    command: sleep 600\n"
        "    stop_grace_period: 1s",
    ),
    ("code", "%docker stack ls\n%docker stack services shop"),
    ("code", "%docker stack rm shop"),
    (
        "md",
        "## Leaving\n\nThe worker leaves, then the manager (`--force`: the last manager ends the swarm).",
    ),
    (
        "code",
        "%docker --host $W swarm leave\n%docker --host $M swarm leave --force\n"
        "%config DockerMagics.host = ''\nfor each in (worker, manager):\n    each.stop()",
    ),
]


def build(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = new_notebook(
        cells=[
            new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


if __name__ == "__main__":
    out = Path(__file__).parents[1] / "notebooks"
    out.mkdir(exist_ok=True)
    for name, cells in (
        ("quickstart", QUICKSTART),
        ("stats", STATS),
        ("images", IMAGES),
        ("automation", AUTOMATION),
        ("lab", LAB),
        ("swarm", SWARM),
    ):
        nbformat.write(build(cells), out / f"{name}.ipynb")
        print("wrote", out / f"{name}.ipynb")
