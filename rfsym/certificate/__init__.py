"""Proof certificates and their independent re-checker (the de Bruijn criterion).

* :mod:`rfsym.certificate.export`: a :class:`~rfsym.proof.steps.CheckedDerivation` -> a JSON
  certificate (definitions, steps, citations, frames, tables, networks, lemma hashes);
* :mod:`rfsym.certificate.verify`: re-checks a certificate with its own small rule checks
  (:mod:`~rfsym.certificate.rules`, :mod:`~rfsym.certificate.terms`,
  :mod:`~rfsym.certificate.definitions`, :mod:`~rfsym.certificate.networks`); none of these
  imports :mod:`rfsym.proof`, so a bug in the kernel is not repeated by its second checker;
* :mod:`rfsym.certificate.regenerate`: the certificates shipped in ``derivations/certificates``.

This package imports nothing on its own, so importing the verifier loads no exporter (and no
kernel).  The format and what the verifier trusts: ``docs/certificates.md``.
"""
