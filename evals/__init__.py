"""`newsdesk eval`: gold sets and benchmark kits -> scores, reports and regression gates.

Data flows: a dataset (gold JSONL file or kit directory) -> an archive to ask (built once for
kits) -> one `QuestionResult` per question (runner) -> metrics -> report and gate.
Only the CLI imports this package.
"""
