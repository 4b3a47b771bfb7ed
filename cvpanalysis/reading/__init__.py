"""Reading results: bounded file reading, benchmark names, model facts, the
result-file model, and the walk over input folders. The file format is
docs/result-format.md; files that predate it (no `cvp_models` in the context)
and Google Benchmark files from other projects are read too. Anything unusable
raises InputError, whose message is one line naming the file and what is
wrong with it."""
