"""The classroom benchmark's pieces that need no server: percentiles, arrivals, reading a recorded websocket stream,
the messages a student sends, and the /proc arithmetic behind CPU, RSS and "idle again"."""

from __future__ import annotations

import os
import random
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench import proc_watch, st_protocol
from bench.classroom import SCENARIOS, Scenario, arrivals, percentile

# The bare page's frames as the server sent them (bench/servers.py's BARE_PAGE, Streamlit 1.67): the first run of
# "/", then the run after the "Points" slider moved from 50 to 60. Each frame is a 4-byte big-endian length and the
# ForwardMsg; an empty frame separates the two runs. (Session and installation ids were zeroed.)
RECORDED = Path(__file__).parent / "data" / "bare_page_stream.bin"


def recorded_runs() -> list[list[bytes]]:
    data, runs, offset = RECORDED.read_bytes(), [[]], 0
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        frame = data[offset + 4:offset + 4 + length]
        offset += 4 + length
        if frame:
            runs[-1].append(frame)
        else:
            runs.append([])
    return runs


# ------------------------------------------------------------------------------------------------ percentiles


@pytest.mark.parametrize("q", [0, 50, 95, 100])
def test_percentile_matches_numpy_linear_interpolation(q):
    values = [random.Random(seed).uniform(0, 10) for seed in range(37)]
    assert percentile(values, q) == pytest.approx(np.percentile(values, q))


def test_percentile_of_a_small_sample_interpolates_between_ranks():
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([4.0, 1.0, 3.0, 2.0], 95) == pytest.approx(3.85)  # order does not matter
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) != percentile([], 50)  # nan: nothing was measured


# ------------------------------------------------------------------------------------------------ arrivals


def test_arrivals_spread_over_the_window_and_repeat_for_a_seed():
    scenario = SCENARIOS["within10"]
    times = arrivals(scenario, random.Random(7))
    assert len(times) == 30 and times == sorted(times)
    assert times[0] >= 0 and times[-1] < 10 and times[-1] - times[0] > 5
    assert times == arrivals(scenario, random.Random(7))


def test_at_the_same_instant_means_every_student_at_zero():
    assert arrivals(Scenario("x", 20, 0.0), random.Random(1)) == [0.0] * 20


def test_the_issue_scenarios_have_the_issue_counts():
    counts = {name: (scenario.students, scenario.spread) for name, scenario in SCENARIOS.items()}
    assert counts["within10"] == (30, 10) and counts["instant20"] == (20, 0)
    assert counts["instant100"] == (100, 0) and counts["over60"] == (100, 60)


# ------------------------------------------------------------------------------------------------ reading a stream


def test_a_recorded_first_run_yields_the_slider_the_page_and_one_finish():
    first, _ = recorded_runs()
    view = st_protocol.AppView()
    statuses = [view.read(frame) for frame in first]
    assert [status for status in statuses if status is not None] == [st_protocol.FINISHED]
    assert statuses[-1] == st_protocol.FINISHED
    slider = view.widget("bare_points")
    assert slider is not None and slider.kind == "slider" and slider.label == "Points"
    assert slider.value == (50.0,) and slider.is_int and slider.fragment_id == ""
    assert view.exceptions == [] and not view.page_not_found
    assert view.messages == len(first) and view.bytes == sum(map(len, first))


def test_the_value_a_student_gave_survives_the_redraw_as_in_a_browser():
    first, moved = recorded_runs()
    view = st_protocol.AppView()
    for frame in first:
        view.read(frame)
    view.move_slider(view.widget("bare_points"), 60)
    statuses = [view.read(frame) for frame in moved]
    assert statuses[-1] == st_protocol.FINISHED
    assert view.widget("bare_points").value == (60.0,)  # the redraw carries only the default (50)


def test_a_value_the_script_sets_replaces_the_known_one():
    view = st_protocol.AppView()
    message = ForwardMsg()
    slider = message.delta.new_element.slider
    slider.id, slider.default[:] = "$$ID-5-s", [1.0]
    view.read(message.SerializeToString())
    slider.value[:], slider.set_value = [3.0], True
    view.read(message.SerializeToString())
    assert view.widget("s").value == (3.0,)


def _delta_message(element_kind: str, **fields) -> bytes:
    message = ForwardMsg()
    element = getattr(message.delta.new_element, element_kind)
    for name, value in fields.items():
        setattr(element, name, value)
    return message.SerializeToString()


def test_an_exception_element_is_an_error_and_a_warning_is_not():
    view = st_protocol.AppView()
    view.read(_delta_message("exception", type="ValueError", message="boom"))
    view.read(_delta_message("exception", type="DeprecationWarning", message="old", is_warning=True))
    assert view.exceptions == ["ValueError: boom"]


def test_a_widget_inside_a_fragment_keeps_the_fragment_id():
    message = ForwardMsg()
    message.delta.fragment_id = "frag-1"
    message.delta.new_element.button.id = "$$ID-abc-train_run"
    message.delta.new_element.button.label = "Train"
    view = st_protocol.AppView()
    view.read(message.SerializeToString())
    assert view.widget("train_run").fragment_id == "frag-1"
    assert view.widget("train") is None  # the key is the whole last part of the id


def test_navigation_page_info_and_not_found_are_taken_in():
    view = st_protocol.AppView("a=1")
    navigation, address, missing = ForwardMsg(), ForwardMsg(), ForwardMsg()
    navigation.navigation.page_script_hash = "abc123"
    address.page_info_changed.query_string = "a=2&b=3"
    missing.page_not_found.page_name = "nope"
    for message in (navigation, address, missing):
        assert view.read(message.SerializeToString()) is None
    assert (view.page_script_hash, view.query_string, view.page_not_found) == ("abc123", "a=2&b=3", True)


def test_a_timed_fragment_rerun_request_is_noted():
    message = ForwardMsg()
    message.auto_rerun.fragment_id, message.auto_rerun.interval = "queue", 1.5
    view = st_protocol.AppView()
    view.read(message.SerializeToString())
    assert view.auto_reruns == {"queue": 1.5}


def test_early_for_rerun_does_not_end_the_wait():
    message = ForwardMsg()
    message.script_finished = st_protocol.EARLY_FOR_RERUN
    assert st_protocol.AppView().read(message.SerializeToString()) not in st_protocol.RUN_OVER


def test_a_cacheable_message_is_listed_and_its_reference_redraws_its_widget():
    message = ForwardMsg()
    message.hash = "h1"
    message.metadata.cacheable = True
    message.delta.new_element.slider.id = "$$ID-x-big"
    view = st_protocol.AppView()
    view.read(message.SerializeToString())
    view.widgets.clear()
    reference = ForwardMsg()
    reference.ref_hash = "h1"
    view.read(reference.SerializeToString())
    assert view.cached_hashes == {"h1"} and view.widget("big") is not None
    rerun = BackMsg()
    rerun.ParseFromString(view.rerun([]))
    assert list(rerun.rerun_script.cached_message_hashes) == ["h1"]


# ------------------------------------------------------------------------------------------------ what a student sends


def test_the_first_message_opens_the_page_of_the_link():
    message = BackMsg()
    message.ParseFromString(st_protocol.first_run("?train_hidden=8", "train_cancer"))
    rerun = message.rerun_script
    assert (rerun.query_string, rerun.page_name, rerun.page_script_hash) == ("train_hidden=8", "train_cancer", "")
    assert not rerun.widget_states.widgets


def test_moving_a_bound_slider_sends_its_value_its_fragment_and_the_new_address():
    view = st_protocol.AppView("train_hidden=8&train_seed=3")
    view.page_script_hash = "page"
    widget = st_protocol.Widget("$$ID-1-train_hidden", "slider", "Hidden units", "frag", "train_hidden", (8.0,), True)
    message = BackMsg()
    message.ParseFromString(view.move_slider(widget, 9))
    rerun = message.rerun_script
    (state,) = rerun.widget_states.widgets
    assert state.id == widget.id and list(state.double_array_value.data) == [9.0]
    assert (rerun.fragment_id, rerun.page_script_hash, rerun.page_name) == ("frag", "page", "")
    assert rerun.query_string == "train_hidden=9&train_seed=3" == view.query_string


def test_pressing_a_button_sends_a_trigger():
    view = st_protocol.AppView()
    message = BackMsg()
    message.ParseFromString(view.press(st_protocol.Widget("$$ID-2-train_run", "button", "Train", "", "")))
    (state,) = message.rerun_script.widget_states.widgets
    assert state.WhichOneof("value") == "trigger_value" and state.trigger_value


def test_a_slider_is_not_pressed_nor_a_button_moved():
    view = st_protocol.AppView()
    with pytest.raises(ValueError, match="not a button"):
        view.press(st_protocol.Widget("$$ID-3-s", "slider", "S", "", ""))
    with pytest.raises(ValueError, match="not a slider"):
        view.move_slider(st_protocol.Widget("$$ID-4-b", "button", "B", "", ""), 1)


def test_address_values_are_written_as_the_frontend_writes_them():
    assert st_protocol.number_text(9.0, True) == "9"
    assert st_protocol.number_text(0.25, False) == "0.25"
    assert st_protocol.number_text(2.0, False) == "2"
    assert st_protocol.with_query_value("a=1&b=2", "b", "5") == "a=1&b=5"
    assert st_protocol.with_query_value("a=1", "c", "x y") == "a=1&c=x+y"
    assert st_protocol.with_query_value("", "c", "1") == "c=1"


# ------------------------------------------------------------------------------------------------ /proc arithmetic

STAT = "4242 (python -m st (x)) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 12 0 1 2 3"


def test_stat_gives_the_parent_and_the_cpu_of_the_process_and_its_reaped_children():
    parent, cpu = proc_watch.parse_stat(STAT)
    assert parent == 17
    assert cpu == pytest.approx((250 + 50 + 7 + 3) / proc_watch.CLOCK_TICKS)


def test_status_gives_the_resident_memory_in_bytes():
    assert proc_watch.parse_rss("Name:\tpython\nVmPeak:\t 900 kB\nVmRSS:\t  2048 kB\n") == 2048 * 1024
    assert proc_watch.parse_rss("Name:\tzombie\nState:\tZ\n") == 0


def _samples(cpu_per_step: list[float], step: float = 0.5) -> list[proc_watch.Sample]:
    total, samples = 0.0, []
    for index, used in enumerate(cpu_per_step):
        total += used
        samples.append(proc_watch.Sample(at=index * step, cpu=total, rss=0))
    return samples


def test_quiet_begins_where_the_server_stops_using_cpu():
    busy_then_quiet = _samples([0.0, 0.5, 0.5, 0.5, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    assert proc_watch.quiet_since(busy_then_quiet, after=0.5) == 2.0
    assert proc_watch.quiet_since(busy_then_quiet, after=3.0) == 3.0


def test_a_server_that_keeps_working_is_never_quiet():
    assert proc_watch.quiet_since(_samples([0.5] * 20), after=0.0) is None
    assert proc_watch.quiet_since(_samples([0.0, 0.0]), after=0.0) is None  # too short to tell


def test_cpu_at_takes_the_last_sample_before_the_moment():
    samples = _samples([0.0, 1.0, 1.0, 1.0])
    assert proc_watch.cpu_at(samples, 0.9) == 1.0 and proc_watch.cpu_at(samples, 10) == 3.0
    assert proc_watch.cpu_at(samples, -1) == 0.0


def test_the_tree_of_this_process_holds_a_child_it_starts():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        tree = proc_watch.ProcessTree(os.getpid())
        assert child.pid in tree.pids
        sample = tree.sample()
        assert sample.rss > 10 * 2**20 and sample.cpu > 0
        only_sleepers = proc_watch.ProcessTree(os.getpid(), only=lambda line: "time.sleep" in line)
        assert only_sleepers.pids == [child.pid]
    finally:
        child.kill()
        child.wait()


def test_quiet_means_at_most_the_share_not_less():
    exactly_the_share = _samples([0.03125] * 10)  # 1/16 of a core over every 2 s window (binary-exact numbers)
    assert proc_watch.quiet_since(exactly_the_share, after=0.0, window=2.0, share=0.0625) == 0.0
    assert proc_watch.quiet_since(exactly_the_share, after=0.0, window=2.0, share=0.0624) is None


def test_the_report_compares_each_page_with_the_bare_page_and_names_the_errors():
    import io

    from bench.classroom import BARE, ClassResult, StudentLog, report

    def log(open_s: float, move_s: float | None = None, error: str | None = None,
            rerun_every: float | None = None) -> StudentLog:
        entry = StudentLog(seconds={"open": open_s} | ({} if move_s is None else {"move": move_s}),
                           auto_rerun_every=rerun_every)
        if error:
            entry.errors.append(error)
        return entry

    bare = ClassResult(BARE, 2, [log(1.0, 0.5), log(1.0, 0.5)], cpu_seconds=0.2, peak_rss=100 * 2**20,
                       idle_after=0.5, wall=3.0, measured=True)
    page = ClassResult("train_cancer", 2, [log(2.0, rerun_every=3600.0), log(2.0, error="move: connection dropped")],
                       cpu_seconds=0.8, peak_rss=300 * 2**20, idle_after=None, wall=9.0, measured=True)
    held = ClassResult("landscape", 4, [log(2.0)] * 4, cpu_seconds=0.8, peak_rss=500 * 2**20, held_rss=200 * 2**20,
                       idle_after=1.0, wall=3.0, measured=True)
    out = io.StringIO()
    report(Scenario("two students", 2, 0.0), [bare, page, held], out=out)
    text = out.getvalue()
    open_row = next(line for line in text.splitlines() if line.startswith("train_cancer") and " open " in line)
    assert open_row.split()[2:] == ["2/2", "2.00", "2.00", "2.00", "2.0×"]
    move_row = next(line for line in text.splitlines() if line.startswith("train_cancer") and " move " in line)
    assert move_row.split()[2] == "0/1"  # attempted, failed
    server_row = next(line for line in text.splitlines() if line.startswith("train_cancer") and "×" in line
                      and "/" not in line)
    assert server_row.split()[1:] == ["1", "0.400", "4.0×", "300", "—", ">", "120", "9.0"]
    held_row = next(line for line in text.splitlines() if line.startswith("landscape") and "×" in line
                    and "/" not in line)
    assert held_row.split()[4:6] == ["500", "50.0"]  # peak RSS, then 200 MB held over 4 students
    assert "1 × move: connection dropped" in text
    assert "timed fragment reruns" not in text  # an hourly rerun is not due within a 9 s class


# ------------------------------------------------------------------------------------- live100 (bench/live_class.py)


def test_the_reconnect_delays_are_the_frontends():
    from bench.live_class import reconnect_delay

    rng = random.Random(3)
    for attempt, (low, high) in {1: (0.25, 0.5), 2: (0.5, 1.0), 3: (1.0, 2.0), 4: (2.0, 4.0), 9: (2.0, 4.0)}.items():
        delays = [reconnect_delay(attempt, rng) for _ in range(200)]
        assert low <= min(delays) and max(delays) <= high, attempt
        assert max(delays) - min(delays) > (high - low) / 2, attempt  # spread over the range, not one value


def test_a_browser_jar_keeps_what_set_cookie_sets_and_sends_it_back():
    from bench.classroom import cookie_header, take_set_cookies

    jar = {"bpl_student_ABC": "tok"}
    take_set_cookies(jar, [" SERVERID=r2; path=/; HttpOnly; SameSite=Lax", "bpl_student_ABC=new; Max-Age=60"])
    assert jar == {"SERVERID": "r2", "bpl_student_ABC": "new"}
    assert cookie_header(jar) == "SERVERID=r2; bpl_student_ABC=new"


def test_run_locals_lines_give_redis_and_each_replicas_pid():
    from bench.live_class import run_local_processes

    text = ("redis port 8743 pid 12344\nreplica r1 port 8741 pid 12345\nreplica r2 port 8742 pid 12346\n"
            "haproxy port 8740 pid 12347\nready http://127.0.0.1:8740\n")
    assert run_local_processes(text) == (8743, {"r1": 12345, "r2": 12346})
    assert run_local_processes("run-local: redis on port 1 did not start\n") == (None, {})


def test_answers_lost_count_step_by_step_and_an_extra_row_hides_no_loss():
    from bench.live_class import Fault

    assert Fault.lost({1: 100, 2: 100}, {1: 100, 2: 100}) == 0
    assert Fault.lost({1: 100, 2: 100}, {1: 101, 2: 97}) == 3
    assert Fault.lost({3: 5}, {}) == 5


def test_students_are_spread_over_loopback_addresses():
    from bench.live_class import sources_for

    assert sources_for(1) == ("127.0.0.10",)
    assert sources_for(4) == ("127.0.0.10", "127.0.0.11", "127.0.0.12", "127.0.0.13")
    with pytest.raises(ValueError):
        sources_for(0)


def test_a_choice_is_answered_with_an_options_text_as_streamlit_167_expects():
    from bench.live_class import Run, _answer_for

    radio = st_protocol.Widget("$$ID-abc-live_answer_2_1", "radio", "Your answer", "", "")
    submit = st_protocol.Widget("$$ID-def-Send my answer", "button", "Send my answer", "", "")
    run = Run(0.0, [], {radio.id: radio, submit.id: submit}, {"live_answer_2_1": ("up", "down")})
    states, pressed = _answer_for(run, 2, random.Random(1))
    assert pressed is submit and states[0].WhichOneof("value") == "string_value"
    assert states[0].string_value in ("up", "down")


def test_the_pages_cookie_component_writes_into_the_browsers_jar():
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg as Message

    from bench.live_class import Screen

    jar: dict[str, str] = {}
    screen = Screen("class=ABC", jar)
    message = Message()
    message.delta.new_element.bidi_component.json = '{"cookies": [["bpl_student_ABC", "t0k"]], "path": "/"}'
    screen.read(message.SerializeToString())
    assert jar == {"bpl_student_ABC": "t0k"}


def test_replica_counts_take_one_or_several():
    import argparse

    from bench.classroom import replica_counts

    assert replica_counts("2") == [2]
    assert replica_counts("1,2") == [1, 2]
    for bad in ("0", "1,x", "17"):
        with pytest.raises(argparse.ArgumentTypeError):
            replica_counts(bad)
