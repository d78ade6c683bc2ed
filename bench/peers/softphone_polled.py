"""pjsua2 driven the way pjsip's own Python sample does it: the second peer of bench/peers/softphone.py.

pjsip-apps/src/pygui polls the library from the GUI loop: an Endpoint with ``threadCnt = 0`` and
``mainThreadOnly``, ``libHandleEvents(10)`` called from a timer (the sample's Tk timer fires every
50 ms; here a plain loop every ``--period-ms``, 10 ms by default). Registers one account, rings on
every INVITE (180) or answers it (``--auto-answer``) with the null audio device, and prints one JSON
line per event on stdout (``Registered``, ``IncomingCall``, ``Answered``) for the benchmark.

    .venv/bin/python -m bench.peers.softphone_polled --uri sip:polled@127.0.0.1:5060 \
        --registrar sip:127.0.0.1:5060 --user polled --password-env BENCH_SIP_PASSWORD
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import time
from typing import Any

import pjsua2 as pj


def say(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, "t": time.time(), **fields}), flush=True)


class Call(pj.Call):  # type: ignore[misc]  # pjsua2 has no type information
    def __init__(self, phone: Phone, call_id: int) -> None:
        super().__init__(phone.account, call_id)
        self.phone = phone

    def onCallState(self, prm: Any) -> None:
        if self.getInfo().state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.phone.ended.append(self)  # dropped on the next turn, outside its own callback

    def onCallMediaState(self, prm: Any) -> None:
        devices = pj.Endpoint.instance().audDevManager()
        for index, media in enumerate(self.getInfo().media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                audio = self.getAudioMedia(index)
                devices.getCaptureDevMedia().startTransmit(audio)
                audio.startTransmit(devices.getPlaybackDevMedia())


class Account(pj.Account):  # type: ignore[misc]
    def __init__(self, phone: Phone) -> None:
        super().__init__()
        self.phone = phone

    def onRegState(self, prm: Any) -> None:
        if prm.code == 200 and prm.expiration > 0:
            say("Registered")

    def onIncomingCall(self, prm: Any) -> None:
        call = Call(self.phone, prm.callId)
        self.phone.calls.append(call)
        say("IncomingCall", sip_call_id=str(call.getInfo().callIdString))
        answer = pj.CallOpParam()
        answer.statusCode = 200 if self.phone.auto_answer else 180
        call.answer(answer)
        if self.phone.auto_answer:
            say("Answered")


class Phone:
    def __init__(self, auto_answer: bool) -> None:
        self.auto_answer = auto_answer
        self.account: Account | None = None
        self.calls: list[Call] = []
        self.ended: list[Call] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("--uri", "--registrar", "--user"):
        parser.add_argument(name, required=True)
    parser.add_argument("--password-env", default="BENCH_SIP_PASSWORD")
    parser.add_argument("--auto-answer", action="store_true")
    parser.add_argument("--handle-ms", type=int, default=10, help="libHandleEvents' timeout")
    parser.add_argument("--period-ms", type=int, default=10, help="the timer's period")
    args = parser.parse_args()
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda number, _frame: stopping.append(number))

    ep = pj.Endpoint()
    ep.libCreate()
    config = pj.EpConfig()
    config.uaConfig.threadCnt = 0
    config.uaConfig.mainThreadOnly = True
    config.logConfig.level = config.logConfig.consoleLevel = 0
    ep.libInit(config)
    transport = pj.TransportConfig()
    transport.boundAddress = "127.0.0.1"
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
    ep.libStart()
    ep.audDevManager().setNullDev()

    phone = Phone(args.auto_answer)
    account_config = pj.AccountConfig()
    account_config.idUri = args.uri
    account_config.regConfig.registrarUri = args.registrar
    account_config.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
    password = os.environ.get(args.password_env, "")
    account_config.sipConfig.authCreds.append(pj.AuthCredInfo("digest", "*", args.user, 0, password))
    phone.account = Account(phone)
    phone.account.create(account_config)

    while not stopping:  # the sample's timer: handle what is pending, then wait for the next tick
        ep.libHandleEvents(args.handle_ms)
        while phone.ended:
            phone.calls.remove(phone.ended.pop())
        time.sleep(args.period_ms / 1000)

    ep.hangupAllCalls()
    phone.calls.clear()
    phone.account.shutdown()
    phone.account = None
    ep.libDestroy()


if __name__ == "__main__":
    main()
