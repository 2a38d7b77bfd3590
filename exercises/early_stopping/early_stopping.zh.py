"""练习 `early_stopping`：验证损失不再改进时停止训练（提前停止，early stopping）。

完成这个类，然后运行 `dlx check early_stopping`（可见测试）和
`dlx submit early_stopping`（计分的隐藏测试）。
需要提示时运行 `dlx hint early_stopping`。
"""
import copy
import math


class EarlyStopping:
    """监视验证损失（validation loss），每个迭代周期（epoch）调用一次 ``step``。

    用法::

        stopper = EarlyStopping(patience=5, min_delta=0.0)
        for epoch in range(max_epochs):
            train_one_epoch(params)
            if stopper.step(validation_loss(params), params):
                break
        params = stopper.best_params        # 最好的那个迭代周期的权重

    参数：
        patience: 整数，>= 1，在 ``step`` 返回 True 之前，允许连续多少次调用
            没有改进。
        min_delta: 浮点数，>= 0。一次调用的损失比 ``best_loss`` 低*超过*
            ``min_delta`` 时，这次调用才算*改进*：``val_loss < best_loss -
            min_delta``。等于最好值，或者恰好只好 ``min_delta`` 甚至更少，
            都不算改进。NaN 永远不算改进。

    属性（评分程序会读取它们；请保留这些名字）：
        best_loss: 迄今最好的损失；任何调用之前为 ``math.inf``（只要还没有
            一次调用带来改进，就一直如此，例如只出现过 NaN 损失之后）。
        best_epoch: 设定 ``best_loss`` 的那次调用的序号，从 0 开始
            （第一次调用的序号为 0）；任何改进之前为 None。
        best_params: 传给那次调用的 ``params`` 的深拷贝（deep copy，``copy.deepcopy``），
            这样调用者之后对自己对象的修改，无论嵌套多深，都影响不到它；
            任何改进之前为 None。
    """

    def __init__(self, patience=5, min_delta=0.0):
        raise NotImplementedError("EarlyStopping.__init__")

    def step(self, val_loss, params=None):
        """记录一个迭代周期的验证损失（一个浮点数，可能是 NaN）。

        有改进时：更新 ``best_loss``、``best_epoch`` 和
        ``best_params``，并把连续未改进的调用次数清零；
        否则把这个次数加一。

        返回：
            bool: 最近连续 ``patience`` 次调用都没能带来改进
            （次数达到了 ``patience``）时为 True，否则为 False。
            之后的调用遵循同一规则。
        """
        raise NotImplementedError("EarlyStopping.step")
