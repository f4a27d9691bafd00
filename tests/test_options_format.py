"""The option table's conversions and the --format evaluator, without an engine."""

from __future__ import annotations

import pytest

from dockmagic.errors import OptionError
from dockmagic.magics.argv import Parser, add_container_options, container_options
from dockmagic.options import container_config, update_body
from dockmagic.options.values import as_extra_host, parse_bytes, parse_publish
from dockmagic.render.formats import container_fields, format_rows
from dockmagic.render.gotemplate import TemplateError, render


def test_cli_forms_become_the_api_fields_the_cli_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FROM_ENV", "yes")
    p = Parser("run")
    chosen = add_container_options(p, "run")
    a = p.parse(
        [
            "-i",
            "-e",
            "FROM_ENV",
            "-p",
            "8082",
            "--network",
            "name=n1,alias=a",
            "--network-alias",
            "b",
            "--add-host",
            "h=[::1]",
            "--cap-add",
            "net_admin",
            "--entrypoint",
            "sh -c",
            "--rm=false",
            "-m",
            "64m",
        ]
    )
    body = container_config("img", None, **container_options(a, chosen))
    assert body["OpenStdin"] is True and body["Env"] == ["FROM_ENV=yes"]
    assert body["HostConfig"]["PortBindings"] == {"8082/tcp": [{"HostIp": "", "HostPort": ""}]}
    assert body["NetworkingConfig"]["EndpointsConfig"] == {"n1": {"Aliases": ["a", "b"]}}
    assert body["HostConfig"]["ExtraHosts"] == ["h:::1"] and body["HostConfig"]["CapAdd"] == [
        "CAP_NET_ADMIN"
    ]
    assert body["Entrypoint"] == ["sh -c"] and body["HostConfig"]["Memory"] == 64 * 2**20
    assert "AutoRemove" not in body["HostConfig"]


def test_ports_ranges_and_update_body() -> None:
    assert parse_publish("127.0.0.1:8000-8001:80-81/udp") == [
        ("80/udp", ("127.0.0.1", "8000")),
        ("81/udp", ("127.0.0.1", "8001")),
    ]
    assert parse_publish("9000-9001:81") == [("81/tcp", ("", "9000-9001"))]
    assert update_body(memory="200m", cpus=0.5) == {"Memory": 200 * 2**20, "NanoCpus": 500_000_000}
    with pytest.raises(OptionError, match="cannot change env in place"):
        update_body(env=["A=1"])


@pytest.mark.parametrize(
    "bad",
    [
        lambda: parse_bytes("12q"),
        lambda: parse_bytes("9" * 400),
        lambda: as_extra_host("nohost"),
        lambda: container_config("i", None, cpus="inf"),
        lambda: container_config("i", None, bogus=1),
        lambda: container_config("i", None, ip="10.0.0.1"),
    ],
)
def test_bad_values_are_one_line_option_errors(bad: object) -> None:
    with pytest.raises(OptionError) as exc:
        bad()  # type: ignore[operator]
    assert "\n" not in str(exc.value)


def test_go_templates_as_the_docker_docs_write_them() -> None:
    data = {
        "State": {"Running": True},
        "Config": {"Env": ["A=1", "B=2"], "Labels": {"z": "<x>"}},
        "NetworkSettings": {"Networks": {"bridge": {"IPAddress": "172.17.0.2"}}},
    }
    assert render("{{.State.Running}}", data) == "true"
    assert render("{{json .Config.Labels}}", data) == '{"z":"\\u003cx\\u003e"}'
    assert render("{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", data) == "172.17.0.2"
    assert render('{{join .Config.Env ","}} {{len .Config.Env}}', data) == "A=1,B=2 2"
    assert render("{{if not .State.Running}}down{{else if .Config}}up{{end}}", data) == "up"
    assert render("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{end}}", data) == "z=<x>"
    for bad in ("{{.State", "{{if .A}}x", "{{nope .A}}", "{{end}}"):
        with pytest.raises(TemplateError):
            render(bad, data)


def test_table_directive_aligns_like_the_cli() -> None:
    rows = [{"Id": "a" * 64, "Names": ["/web"], "Labels": {"tier": "front"}, "Status": "Up"}]
    out = format_rows(
        'table {{.ID}}\\t{{.Names}}\\t{{.Label "tier"}}',
        rows,
        container_fields,
        {"ID": "CONTAINER ID"},
    )
    assert out.splitlines() == ["CONTAINER ID   NAMES     LABEL", "aaaaaaaaaaaa   web       front"]


def test_extra_hosts_read_every_form_into_one() -> None:
    """The CLI's NAME:IP and NAME=IP, Compose's list or mapping, community.docker's mapping: one
    conversion, and its two other forms (a mapping; /etc/hosts lines for a service)."""
    from dockmagic.options.values import extra_hosts, extra_hosts_mapping, hosts_lines

    assert extra_hosts(["db:10.0.0.2", "v6=[::1]", "gw=host-gateway"]) == [
        "db:10.0.0.2",
        "v6:::1",
        "gw:host-gateway",
    ]
    assert extra_hosts({"db": "10.0.0.2"}) == ["db:10.0.0.2"]
    assert extra_hosts_mapping(["v6:::1"]) == {"v6": "::1"}  # the first colon ends the name
    assert hosts_lines({"db": "10.0.0.2"}) == ["10.0.0.2 db"]


def test_a_healthcheck_in_compose_form_becomes_the_apis() -> None:
    from dockmagic.options.values import healthcheck

    assert healthcheck({"test": "wget -q localhost", "interval": "1s", "retries": "3"}) == {
        "Test": ["CMD-SHELL", "wget -q localhost"],
        "Interval": 1_000_000_000,
        "Retries": 3,
    }
    assert healthcheck({"test": ["CMD", "true"], "start_period": "1m"}) == {
        "Test": ["CMD", "true"],
        "StartPeriod": 60_000_000_000,
    }
    assert healthcheck({"disable": True, "test": "x"}) == {"Test": ["NONE"]}
    assert healthcheck({"interval": "2s"}) == {"Interval": 2_000_000_000}  # the image's test stays


def test_network_options_are_read_by_either_name_into_one_body() -> None:
    """options/resources.py: the CLI flag's name or community.docker's, one body either way."""
    import pytest

    from dockmagic.errors import OptionError
    from dockmagic.options.resources import NETWORK_OPTIONS, given, network_body, pools_of

    ours = given(NETWORK_OPTIONS, {"ipv6": True, "options": ["mtu=1400"], "subnet": "10.9.0.0/24"})
    theirs = given(NETWORK_OPTIONS, {"enable_ipv6": True, "driver_options": {"mtu": "1400"}})
    pools = pools_of(ours)
    assert pools == [{"Subnet": "10.9.0.0/24"}] and ours == theirs
    body = network_body("n", ours, pools)
    assert body["EnableIPv6"] is True and body["Options"] == {"mtu": "1400"}
    assert body["IPAM"] == {"Driver": "default", "Options": {}, "Config": pools}
    with pytest.raises(OptionError, match="unknown option 'ipv7'"):
        given(NETWORK_OPTIONS, {"ipv7": True})


def test_go_field_names_reach_the_json_keys() -> None:
    """``network inspect -f '{{.ID}}'``: the CLI's template sees its Go struct (ID), the JSON says Id;
    both are found. A lower-case name is no Go field: on a map, <no value>, as Go has it."""
    from dockmagic.render.formats import format_one

    answer = {"Id": "abc", "IPAM": {"Driver": "default"}}
    assert (
        format_one("{{.ID}} {{.Id}} {{.IPAM.Driver}} {{.id}}", answer)
        == "abc abc default <no value>\n"
    )
