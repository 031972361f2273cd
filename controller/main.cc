// sluice-operator: the program lives in controller/operator (flags, HTTP endpoints, informers,
// work queue, workers calling reconcile::ClusterReconciler, leader election, signals).
#include "controller/operator/operator_app.h"

int main(int argc, char** argv) { return sluice::operator_app::RunOperator(argc, argv); }
