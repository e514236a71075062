module explainable.dev/pause

go 1.22
