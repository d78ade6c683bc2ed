"""Sound devices, ring tones and the audio wiring of calls (pjsua2 thread only).

Every re-INVITE (hold, unhold) moves a call's audio to a new conference slot, so the wiring is
redone on each ``onCallMediaState``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pjsua2 as pj

from telephony.api import AudioDevice
from telephony.config import PhoneConfig

if TYPE_CHECKING:
    from telephony.pjsua2_adapter.call import PhoneCall

log = logging.getLogger(__name__)

RING = (440, 0, 1500, 3500)  # French ring: 440 Hz, 1.5 s on, 3.5 s off
WAITING_BEEP = (440, 0, 200, 8000)  # call waiting: a short beep every 8 s in the headset


def _tone(freq1: int, freq2: int, on_ms: int, off_ms: int) -> Any:
    desc = pj.ToneDesc()
    desc.freq1, desc.freq2, desc.on_msec, desc.off_msec = freq1, freq2, on_ms, off_ms
    desc.volume = 0
    tones = pj.ToneDescVector()
    tones.append(desc)
    return tones


def _generator() -> Any:
    generator = pj.ToneGenerator()
    generator.createToneGenerator(16000, 1)
    return generator


class Audio:
    def __init__(self, config: PhoneConfig, ep: Any) -> None:
        self._config = config
        self._manager = ep.audDevManager()
        self._ring_sink: Any = None
        self._extra_device: Any = None
        self._ringer: Any = None
        self._ringing: tuple[int, int, int, int] | None = None

    def devices(self) -> list[AudioDevice]:
        return [AudioDevice(d.name, d.driver, d.inputCount, d.outputCount) for d in self._manager.enumDev2()]

    def setup(self) -> None:
        """Null device when there is no sound card (or when asked), else the named devices."""
        found = self.devices()
        if self._config.null_audio or not found:
            self._manager.setNullDev()
            return
        wanted = self._config.audio
        if wanted.input is not None:
            self._manager.setCaptureDev(self._index(found, wanted.input, inputs=True))
        if wanted.output is not None:
            self._manager.setPlaybackDev(self._index(found, wanted.output, inputs=False))
        if wanted.ring is not None and wanted.ring != wanted.output:
            try:
                device = pj.ExtraAudioDevice(self._index(found, wanted.ring, inputs=False), -1)
                device.open()
                self._extra_device = device
            except pj.Error as exc:
                log.warning("ring device %r unavailable, ringing in the headset: %s", wanted.ring, exc.info())

    @staticmethod
    def _index(found: list[AudioDevice], name: str, *, inputs: bool) -> int:
        for index, device in enumerate(found):
            if device.name == name and (device.inputs if inputs else device.outputs) > 0:
                return index
        kind = "micro" if inputs else "sortie audio"
        raise ValueError(f"Périphérique audio introuvable ({kind}) : {name}")

    def _playback(self) -> Any:
        return self._manager.getPlaybackDevMedia()

    # ---- ringing --------------------------------------------------------------------------
    def ring(self, *, waiting: bool) -> None:
        """Rings on the ring device, or beeps discreetly in the headset while in a call."""
        pattern = WAITING_BEEP if waiting else RING
        if self._ringing == pattern:
            return
        self.stop_ringing()
        if self._ringer is None:
            self._ringer = _generator()
        sink = self._playback() if waiting or self._extra_device is None else self._extra_device
        self._ringer.play(_tone(*pattern), True)
        self._ringer.startTransmit(sink)
        self._ring_sink = sink
        self._ringing = pattern

    def stop_ringing(self) -> None:
        if self._ringer is not None and self._ring_sink is not None:
            self._ringer.stopTransmit(self._ring_sink)
            self._ringer.stop()
        self._ring_sink = None
        self._ringing = None

    # ---- calls ----------------------------------------------------------------------------
    def wire(self, call: PhoneCall) -> int:
        """Connects every active audio stream of ``call``; returns the media status of the first."""
        status = pj.PJSUA_CALL_MEDIA_NONE
        info = call.getInfo()
        for media in info.media:
            if media.type != pj.PJMEDIA_TYPE_AUDIO:
                continue
            if status == pj.PJSUA_CALL_MEDIA_NONE:
                status = media.status
            if media.status not in (pj.PJSUA_CALL_MEDIA_ACTIVE, pj.PJSUA_CALL_MEDIA_REMOTE_HOLD):
                continue
            stream = call.getAudioMedia(media.index)
            stream.startTransmit(self._playback())
            self._wire_source(call, stream)
            if self._config.record_dir:
                stream.startTransmit(self._recorder(call, info.id))
        return int(status)

    def _wire_source(self, call: PhoneCall, stream: Any) -> None:
        if self._config.test_tone_hz:
            if call.tone is None:
                call.tone = _generator()
                call.tone.play(_tone(self._config.test_tone_hz, 0, 30000, 0), True)
            source = call.tone
        else:
            source = self._manager.getCaptureDevMedia()
        if call.muted:
            source.stopTransmit(stream)
        else:
            source.startTransmit(stream)

    def _recorder(self, call: PhoneCall, call_id: int) -> Any:
        if call.recorder is None:
            recorder = pj.AudioMediaRecorder()
            path = Path(self._config.record_dir) / f"call-{call_id}.wav"
            recorder.createRecorder(str(path))
            call.recorder = recorder
        return call.recorder

    def close(self) -> None:
        self.stop_ringing()
        self._ringer = None
        if self._extra_device is not None:
            self._extra_device.close()
            self._extra_device = None
