"""A small catalogue file the catalogue tests share."""

SMALL = """\
version: 1
competencies:
  - key: model-evaluation
    name: Model evaluation
    family: data
    description: Choosing metrics, validation schemes and baselines.
  - key: ml-pipelines
    name: ML pipelines & CI/CD
    family: platform
roles:
  - key: ml-engineer
    name: ML Engineer
    family: data
    description: Builds, ships and maintains ML models in production.
    requires:
      - {competency: model-evaluation, level: 3, weight: 2}
      - {competency: ml-pipelines, level: 2}
modules:
  - key: mlcc-classification
    title: "Classification: thresholds, ROC and AUC"
    url: https://example.org/course/classification
    hours: 3
    develops:
      - {competency: model-evaluation, level: 2}
    assessment:
      kind: quiz
      pass_mark: 70
  - key: pipelines-101
    title: Pipelines
    url: https://example.org/pipelines
    hours: 4.5
    requires_verification: true
    develops:
      - {competency: ml-pipelines, level: 2}
  - key: capstone
    title: "Capstone: a model trained and evaluated against a baseline"
    url: https://example.org/capstone
    hours: 20
    develops:
      - {competency: model-evaluation, level: 3}
      - {competency: ml-pipelines, level: 3}
    assessment:
      kind: project
      pass_mark: 60
paths:
  - key: swe-to-mle
    name: Software engineer to ML engineer
    role: ml-engineer
    modules: [mlcc-classification, pipelines-101, capstone]
    prerequisites: {capstone: [mlcc-classification, pipelines-101]}
"""
