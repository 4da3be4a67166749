"""robots.txt: parsed with the standard library's parser, at most ROBOTS_MAX_BYTES read."""

from __future__ import annotations

from urllib.robotparser import RobotFileParser

ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 §2.5: parse at least the first 500 KiB


def parse_robots(robots_url: str, content: bytes) -> RobotFileParser:
    """A parser over a robots.txt body (undecodable bytes replaced, as crawlers do)."""
    parser = RobotFileParser(robots_url)
    parser.parse(content.decode("utf-8", errors="replace").splitlines())
    return parser
