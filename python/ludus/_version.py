"""_version.py: the package version; it must match libludus's MAJOR.MINOR
(CMakeLists.txt's project VERSION and LUDUS_VERSION in ludus.h; a test
checks all three agree)."""
__version__ = "0.1.0"
