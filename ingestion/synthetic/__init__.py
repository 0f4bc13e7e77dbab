"""Synthetic national ASN sample: employees and their histories as offices upload them.

``generate(out_dir, pegawai, seed, periode, messy, progress)`` writes the landing layout
with realistic export habits and, optionally, planted errors recorded as ground truth.
"""

from ingestion.synthetic.generator import generate
from ingestion.synthetic.summary import GenerationSummary

__all__ = ["GenerationSummary", "generate"]
