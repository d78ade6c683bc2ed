"""SIPp (Debian package sip-tester) as a scripted caller: scenarios written for each test.

Each scenario is a UAC calling ``[service]`` (the -s argument) through the proxy. ``[branch-N]``
reuses the branch of the message N steps earlier, as CANCEL and the ACK of a failure require.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from tests.support.kamailio import free_udp_port, require

_INVITE = """
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: {from_header};tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      {extra_headers}
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=sipp 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000
    ]]>
  </send>
"""

_ACK_FAILURE = """
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-{back}]
      From: {from_header};tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
"""

_CANCEL = """
  <send>
    <![CDATA[
      CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-4]
      From: {from_header};tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 CANCEL
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
"""


def _scenario(name: str, body: str) -> str:
    return f'<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="{name}">{body}</scenario>\n'


def cancel_before_answer(from_header: str, ring_ms: int = 800, extra_headers: str = "") -> str:
    """INVITE, wait for the ringing, CANCEL: the operator must log a missed call.

    With ``extra_headers`` empty an empty line ends the INVITE's headers early (pjsua2 still rings;
    a stricter phone such as baresip needs a header there to see the SDP offer)."""
    body = (
        _INVITE.format(from_header=from_header, extra_headers=extra_headers)
        + '  <recv response="100" optional="true"/>\n  <recv response="180"/>\n'
        + f'  <pause milliseconds="{ring_ms}"/>\n'
        + _CANCEL.format(from_header=from_header)
        # The proxy's 200 to the CANCEL and the relayed 487 may arrive in either order.
        + '  <recv response="200" optional="true"/>\n  <recv response="487"/>\n'
        + _ACK_FAILURE.format(from_header=from_header, back=7)
    )
    return _scenario("cancel before answer", body)


def rejected(from_header: str, extra_headers: str, code: int) -> str:
    """INVITE (with extra headers), expect the final ``code`` and acknowledge it."""
    body = (
        _INVITE.format(from_header=from_header, extra_headers=extra_headers)
        + '  <recv response="100" optional="true"/>\n  <recv response="180" optional="true"/>\n'
        + f'  <recv response="{code}"/>\n'
        + _ACK_FAILURE.format(from_header=from_header, back=4)
    )
    return _scenario(f"rejected with {code}", body)


def start_sipp(directory: Path, name: str, scenario: str, proxy: str, service: str,
               timeout: float = 20.0, extra: Sequence[str] = ()) -> subprocess.Popen[str]:  # fmt: skip
    """Starts one call of ``scenario`` towards ``proxy`` ("127.0.0.1:port"); the test waits for it."""
    sipp = require("sipp", "sip-tester")
    path = directory / f"{name}.xml"
    path.write_text(scenario, encoding="ISO-8859-1")
    argv = [
        sipp, proxy, "-sf", str(path), "-s", service, "-i", "127.0.0.1", "-p", str(free_udp_port()),
        "-mp", str(free_udp_port()), "-timeout", f"{int(timeout)}s", "-timeout_error",
        "-trace_err", "-error_file", str(directory / f"{name}-errors.log"),
    ]  # fmt: skip
    argv += list(extra) if extra else ["-m", "1"]
    return subprocess.Popen(
        argv,
        cwd=directory,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish_sipp(process: subprocess.Popen[str], directory: Path, name: str, timeout: float = 30.0) -> int:
    """Waits for SIPp; returns its exit code (0: the scenario ran to its end), killing it if stuck."""
    try:
        process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
    errors = directory / f"{name}-errors.log"
    if process.returncode and errors.exists():
        print(errors.read_text(errors="replace")[-2000:])
    return process.returncode


_ACK_2XX = """
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: {from_header};tag=[pid]SIPpTag00[call_number]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
"""

_BYE = """
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: {from_header};tag=[pid]SIPpTag00[call_number]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
"""


def answered_call(from_header: str, talk_ms: int = 300, extra_headers: str = "") -> str:
    """INVITE, any provisional answers (several phones may ring), 200, ACK, talk, BYE.

    A hotline call rings several operators at once (one 180 each) or one after another, and a
    queued caller is answered by the queue holder: the 200 may come after any number of 180s.
    """
    provisional = '  <recv response="100" optional="true"/>\n' + (
        '  <recv response="180" optional="true"/>\n  <recv response="183" optional="true"/>\n' * 6
    )
    # An empty line there would end the headers: the SDP offer would be lost (no media to play to)
    headers = extra_headers or "User-Agent: SIPp"
    body = (
        _INVITE.format(from_header=from_header, extra_headers=headers)
        + provisional
        + '  <recv response="200" rrs="true"/>\n'
        + _ACK_2XX.format(from_header=from_header)
        + f'  <pause milliseconds="{talk_ms}"/>\n'
        + _BYE.format(from_header=from_header)
        + '  <recv response="200"/>\n'
    )
    return _scenario("answered call", body)


_OK_TO_BYE = """
  <send next="done">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Content-Length: 0
    ]]>
  </send>
"""


def patient_caller(from_header: str, patience_ms: int) -> str:
    """INVITE, answered (by an operator, or by the queue holder who then bridges one), waits for the
    far end to hang up; gives up (BYE) after ``patience_ms`` if nobody has."""
    provisional = '  <recv response="100" optional="true"/>\n' + (
        '  <recv response="180" optional="true"/>\n  <recv response="183" optional="true"/>\n' * 6
    )
    body = (
        _INVITE.format(from_header=from_header, extra_headers="User-Agent: SIPp")
        + provisional
        + '  <recv response="200" rrs="true"/>\n'
        + _ACK_2XX.format(from_header=from_header)
        + f'  <recv request="BYE" timeout="{patience_ms}" ontimeout="giveup"/>\n'
        + _OK_TO_BYE
        + '  <label id="giveup"/>\n'
        + _BYE.format(from_header=from_header)
        + '  <recv response="200"/>\n'
        + '  <label id="done"/>\n'
    )
    return _scenario("patient caller", body)
