"""The landscape's link rules: every setting survives a round trip through the address, bad values are named."""

from lessons.landscape_settings import DEFAULTS, link_from_settings, outside_slider, settings_from_link


def test_round_trip_of_every_non_default_setting():
    chosen = {"land_surface": "real", "land_mode": "sweep", "land_optimizers": ["adam", "gd"], "land_lr": 3.16,
              "land_steps": 40, "land_seed": 7, "land_noise": 0.35, "land_x0": -1.5, "land_y0": 2.25,
              "land_directions": "random", "land_resolution": 21, "land_batch": "32"}
    link = link_from_settings(chosen)
    assert link["land_surface"] == "real" and link["land_optimizers"] == ["adam", "gd"]
    back, notes = settings_from_link({key: v if isinstance(v, list) else [v] for key, v in link.items()})
    assert notes == [] and back == chosen


def test_defaults_stay_out_of_the_link_and_other_pages_keys_are_left_alone():
    assert link_from_settings(DEFAULTS) == {}
    assert settings_from_link({"fb_seed": ["3"]}) == ({}, [])


def test_bad_values_are_named_and_the_rest_is_kept():
    settings, notes = settings_from_link({"land_seed": ["inf"], "land_steps": ["40"], "land_surface": ["Simple bowl"],
                                          "land_optimizers": ["gd", "<b>x</b>"]})
    assert settings == {"land_steps": 40, "land_surface": "bowl"}
    assert notes[0] == "Ignored land_seed=inf from the link: not a whole number between 0 and 9999."
    assert notes[1].startswith("Ignored land_optimizers=gd, <b>x</b> from the link: not one of gd")


def test_outside_slider_names_the_sweep_balls_past_either_end():
    assert outside_slider([2.5, 5.0, 10.0, 20.0, 40.0]) == [20.0, 40.0]
    assert outside_slider([0.00025, 0.0005, 0.001]) == [0.00025, 0.0005]
