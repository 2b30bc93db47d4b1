package datasets

func (r *Registry) registerStdlib() {}
