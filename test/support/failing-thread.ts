// A worker module that fails as it loads, as a worker would where threads cannot run the feature store.
throw new Error('this worker cannot start here');
